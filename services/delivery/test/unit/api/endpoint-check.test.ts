import { endpointPolicy } from '../../../src/domain/address-safety';
import { subscribableUrlProblem } from '../../../src/domain/endpoint-check';

describe('subscribableUrlProblem', () => {
  const prod = endpointPolicy('prod', '');
  const local = endpointPolicy('local', '');

  it('accepts public https URLs and host names (resolved by the engine on each attempt)', () => {
    expect(subscribableUrlProblem('https://example.com/hook', prod)).toBeUndefined();
    expect(subscribableUrlProblem('https://internal.corp.example/hook', prod)).toBeUndefined();
    expect(subscribableUrlProblem('https://93.184.216.34/hook', prod)).toBeUndefined();
  });

  it('refuses written-out addresses the engine would never connect to', () => {
    for (const url of [
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1/hook',
      'https://127.0.0.1/hook',
      'https://[::1]/hook',
      'https://[fd00:ec2::254]/',
      'https://[::ffff:192.168.1.1]/',
    ]) {
      expect([url, subscribableUrlProblem(url, prod)]).toEqual([
        url,
        expect.stringContaining('must not point at'),
      ]);
    }
  });

  it('keeps the URL rules: https in production, http allowed locally, loopback allowed locally', () => {
    expect(subscribableUrlProblem('http://example.com/hook', prod)).toBe('must use https');
    expect(subscribableUrlProblem('http://127.0.0.1:8080/hook', local)).toBeUndefined();
    expect(subscribableUrlProblem('http://169.254.169.254/', local)).toContain('metadata');
  });

  it('lets an operator allow a private network', () => {
    const allowed = endpointPolicy('prod', '10.20.0.0/16');
    expect(subscribableUrlProblem('https://10.20.1.2/hook', allowed)).toBeUndefined();
    expect(subscribableUrlProblem('https://10.21.1.2/hook', allowed)).toContain('must not point at');
  });
});
