/**
 * Throttling is retried by the SDK's own retry middleware. aws-sdk-client-mock replaces `send`, which
 * would skip that middleware, so these tests give the real EC2Client a fake HTTP handler instead: the
 * whole stack runs (signing with dummy credentials, retries, EC2's XML error parsing).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { defaultEc2Client, Ec2Error, ec2Api } from './ec2.js';

const THROTTLED = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>5f2b9c4e-0000-4000-8000-000000000000</RequestID></Response>`;

const IMAGES = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <imagesSet>
    <item>
      <imageId>ami-0123456789abcdef0</imageId>
      <imageState>available</imageState>
      <name>base-3f9a1c0d2b7e</name>
      <creationDate>2026-11-21T21:03:46.000Z</creationDate>
      <blockDeviceMapping><item><deviceName>/dev/sda1</deviceName><ebs><snapshotId>snap-0123456789abcdef0</snapshotId></ebs></item></blockDeviceMapping>
      <tagSet><item><key>build-images:image</key><value>base</value></item></tagSet>
    </item>
  </imagesSet>
</DescribeImagesResponse>`;

/** Answers the first `throttled` requests with EC2's 503 RequestLimitExceeded, then with IMAGES. */
function fakeTransport(throttled: number) {
  const requests: string[] = [];
  return {
    requests,
    clientFor: (maxAttempts: number) => (region: string) =>
      new EC2Client({
        region,
        maxAttempts,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' },
        requestHandler: {
          handle: async (request: { hostname: string; body?: unknown }) => {
            requests.push(`${request.hostname} ${String(request.body)}`);
            const throttle = requests.length <= throttled;
            return {
              response: {
                statusCode: throttle ? 503 : 200,
                headers: { 'content-type': 'text/xml;charset=UTF-8' },
                body: Buffer.from(throttle ? THROTTLED : IMAGES),
              },
            };
          },
        },
      }),
  };
}

describe('throttling', () => {
  it('RequestLimitExceeded is retried with backoff until the call succeeds', async () => {
    const transport = fakeTransport(2);
    const ec2 = ec2Api({ clientFor: transport.clientFor(8) });
    const found = await ec2.findImagesByName('eu-central-1', 'base-3f9a1c0d2b7e');
    expect(found.map((i) => `${i.id} ${i.name} ${i.snapshotIds.join()}`)).toEqual([
      'ami-0123456789abcdef0 base-3f9a1c0d2b7e snap-0123456789abcdef0',
    ]);
    expect(transport.requests).toHaveLength(3);
    expect(transport.requests[0]).toMatch(/^ec2\.eu-central-1\.amazonaws\.com Action=DescribeImages&Version=2016-11-15/);
  }, 15_000);

  it('gives up after maxAttempts with an Ec2Error that keeps the AWS code', async () => {
    const transport = fakeTransport(99);
    const ec2 = ec2Api({ clientFor: transport.clientFor(2) });
    const error = await ec2.describeImage('eu-central-1', 'ami-0123456789abcdef0').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Ec2Error);
    expect((error as Ec2Error).code).toBe('RequestLimitExceeded');
    expect((error as Ec2Error).message).toBe('EC2 DescribeImages in eu-central-1 failed: RequestLimitExceeded: Request limit exceeded.');
    expect(transport.requests).toHaveLength(2);
  }, 15_000);

  it('the default client makes up to 8 attempts (the SDK default is 3) with the standard strategy', async () => {
    const client = defaultEc2Client('eu-central-1');
    expect(await client.config.maxAttempts()).toBe(8);
    expect(((await client.config.retryStrategy()) as { mode?: string }).mode).toBe('standard');
    expect(await client.config.region()).toBe('eu-central-1');
  });
});
