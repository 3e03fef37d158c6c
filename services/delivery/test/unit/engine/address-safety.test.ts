import {
  addressProblem,
  addressesProblem,
  endpointPolicy,
  literalAddress,
  parseNetworks,
  urlProblem,
} from '../../../src/domain/address-safety';

const prod = endpointPolicy('prod', '');
const local = endpointPolicy('local', '');

describe('which addresses a webhook may connect to', () => {
  it('allows public unicast addresses, IPv4 and IPv6', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(addressProblem(address, prod)).toBeUndefined();
    }
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.0.10', 'private'],
    ['169.254.10.10', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:a00:1::1', '6to4'],
    ['64:ff9b:1::a00:1', 'rfc6052'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['::ffff:0:a00:1', 'rfc6145'],
    ['::a00:1', 'embeddedIpv4'],
    ['::7f00:1', 'embeddedIpv4'],
    ['::a9fe:a9fe', 'embeddedIpv4'],
    ['::808:808', 'embeddedIpv4'],
    ['::10.0.0.1', 'private'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['2600::5efe:a00:1', 'embeddedIpv4'],
    ['fe80::200:5efe:a00:1', 'embeddedIpv4'],
  ])('refuses %s (%s)', (address, range) => {
    expect(addressProblem(address, prod)).toMatch(new RegExp(`not a public address \\(${range}\\)`));
  });

  it('refuses the cloud metadata services even where their network is allowed', () => {
    const linkLocalAllowed = endpointPolicy('prod', '169.254.0.0/16, fd00::/8');
    expect(addressProblem('169.254.169.254', linkLocalAllowed)).toMatch(/cloud metadata address/);
    expect(addressProblem('fd00:ec2::254', linkLocalAllowed)).toMatch(/cloud metadata address/);
    expect(addressProblem('169.254.1.1', linkLocalAllowed)).toBeUndefined();
    const named = endpointPolicy('prod', '169.254.169.254/32');
    expect(addressProblem('169.254.169.254', named)).toBeUndefined();
  });

  it('lets an operator allow a network, and the local stage loopback only', () => {
    const internal = endpointPolicy('prod', '10.20.0.0/16');
    expect(addressProblem('10.20.3.4', internal)).toBeUndefined();
    expect(addressProblem('10.21.3.4', internal)).toMatch(/private/);
    expect(addressProblem('127.0.0.1', local)).toBeUndefined();
    expect(addressProblem('::1', local)).toBeUndefined();
    expect(addressProblem('192.168.1.1', local)).toMatch(/private/);
    expect(addressProblem('127.0.0.1', endpointPolicy('dev', ''))).toMatch(/loopback/);
  });

  it('refuses a name when any of its addresses is refused', () => {
    expect(addressesProblem(['8.8.8.8', '10.0.0.1'], prod)).toMatch(/10\.0\.0\.1/);
    expect(addressesProblem(['8.8.8.8', '2606:4700::1'], prod)).toBeUndefined();
    expect(addressesProblem([], prod)).toBe('the name resolved to no address');
  });

  it('rejects networks that are not CIDR', () => {
    expect(parseNetworks(' 10.0.0.0/8 ,, fd00::/8 ')).toHaveLength(2);
    expect(() => parseNetworks('10.0.0.0')).toThrow(/not a CIDR network/);
  });

  it('recognises IP literals in URLs', () => {
    expect(literalAddress('[::1]')).toBe('::1');
    expect(literalAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(literalAddress('hooks.example.com')).toBeUndefined();
  });
});

describe('which URLs a webhook may go to', () => {
  it('needs https in production and accepts http on dev-like stages', () => {
    expect(urlProblem('https://hooks.example.com/in', prod)).toBeUndefined();
    expect(urlProblem('http://hooks.example.com/in', prod)).toBe('must use https');
    expect(urlProblem('http://127.0.0.1:8080/in', local)).toBeUndefined();
  });

  it('refuses credentials, fragments and other schemes', () => {
    expect(urlProblem('https://user:pw@hooks.example.com/', prod)).toMatch(/credentials/);
    expect(urlProblem('https://hooks.example.com/#x', prod)).toMatch(/fragment/);
    expect(urlProblem('ftp://hooks.example.com/', prod)).toMatch(/http/);
  });
});
