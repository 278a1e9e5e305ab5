/** Kept apart from ec2.ts so that modules needing only the error type do not load the AWS SDK. */
/** An EC2 call that failed, with the operation and region in the message and the AWS error code kept. */
export class Ec2Error extends Error {
  constructor(
    readonly operation: string,
    readonly region: string,
    readonly code: string,
    detail: string,
  ) {
    super(`EC2 ${operation} in ${region} failed: ${code === detail || code === '' ? detail : `${code}: ${detail}`}`);
    this.name = 'Ec2Error';
  }
}
