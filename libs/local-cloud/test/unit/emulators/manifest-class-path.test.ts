import { manifestClassPath } from '../../../src/emulators/dynamodb';

describe('manifestClassPath', () => {
  it('joins the continuation lines of a jar manifest and splits the entries', () => {
    const manifest = [
      'Manifest-Version: 1.0',
      'Main-Class: example.Main',
      'Class-Path: . log4j2.xml DynamoDBLocal_lib/Apache-HttpComponents-HttpC',
      ' lient-4.5.x.jar DynamoDBLocal_lib/sqlite4java.jar',
      'Created-By: 17',
      '',
    ].join('\r\n');
    expect(manifestClassPath(manifest)).toEqual([
      '.',
      'log4j2.xml',
      'DynamoDBLocal_lib/Apache-HttpComponents-HttpClient-4.5.x.jar',
      'DynamoDBLocal_lib/sqlite4java.jar',
    ]);
  });

  it('is empty without a Class-Path', () => {
    expect(manifestClassPath('Manifest-Version: 1.0\nMain-Class: example.Main\n')).toEqual([]);
  });
});
