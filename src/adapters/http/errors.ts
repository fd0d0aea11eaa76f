import type { Side } from '../../core/model';

/**
 * An infrastructure failure of an HTTP suite on one side: the server failed to start, never
 * became ready, exited during the run, or its port was taken. Never a regression: the
 * integrator reports it as an error. `outputTail` holds the last lines the server printed
 * (stdout and stderr interleaved); the message already ends with them.
 */
export class HttpSuiteError extends Error {
  override readonly name = 'HttpSuiteError';
  readonly side: Side;
  readonly outputTail: string;
  /**
   * The failure is what a server missing from this side's checkout produces (no working
   * directory, or the server exited before it became ready), not a timeout: the measure loop
   * may then treat the suite as new on head.
   */
  readonly couldBeMissing: boolean;

  constructor(message: string, side: Side, outputTail = '', couldBeMissing = false) {
    super(outputTail.trim() ? `${message}\nLast server output:\n${outputTail.trimEnd()}` : message);
    this.side = side;
    this.outputTail = outputTail;
    this.couldBeMissing = couldBeMissing;
  }
}
