// The CLI's one error type: a message for the user and an exit code (2 = usage or input error).
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
