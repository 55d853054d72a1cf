console.log("gosleuth: not built yet");
