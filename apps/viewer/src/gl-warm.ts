// Brings up WebGL off the main thread: the page's first WebGL context waits for the GPU side to start
// (hundreds of milliseconds on software GL); a context made here first takes that wait on this thread.
const scope = self as unknown as DedicatedWorkerGlobalScope;

function warm(): string {
  const canvas = new OffscreenCanvas(1, 1);
  const gl = (canvas.getContext("webgl2", { antialias: false, preserveDrawingBuffer: false }) ??
    canvas.getContext("webgl")) as WebGL2RenderingContext | WebGLRenderingContext | null;
  if (!gl) return "no webgl";
  const vs = gl.createShader(gl.VERTEX_SHADER);
  const fs = gl.createShader(gl.FRAGMENT_SHADER);
  const prog = gl.createProgram();
  if (!vs || !fs || !prog) return "no shader";
  gl.shaderSource(
    vs,
    "attribute vec2 a_position;\nvoid main() { gl_Position = vec4(a_position, 0.0, 1.0); gl_PointSize = 1.0; }",
  );
  gl.shaderSource(fs, "precision mediump float;\nvoid main() { gl_FragColor = vec4(1.0); }");
  gl.compileShader(vs);
  gl.compileShader(fs);
  gl.attachShader(prog, vs);
  gl.attachShader(prog, fs);
  gl.linkProgram(prog);
  gl.getProgramParameter(prog, gl.LINK_STATUS);
  gl.useProgram(prog);
  const buf = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, buf);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([0, 0]), gl.STATIC_DRAW);
  gl.enableVertexAttribArray(0);
  gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
  gl.drawArrays(gl.POINTS, 0, 1);
  const px = new Uint8Array(4);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return "ok";
}

const t0 = performance.now();
let result: string;
try {
  result = warm();
} catch (e) {
  result = String(e);
}
scope.postMessage({ result, ms: Math.round(performance.now() - t0) });
