import { preview, sanitizeText } from '../../../src/domain/text';

describe('sanitizeText', () => {
  it('strips every tag and the content of scripts', () => {
    expect(sanitizeText('<b>bold</b> <script>alert(1)</script><img src=x onerror=alert(1)>ok')).toBe(
      'bold ok',
    );
  });
  it('keeps entities readable', () => {
    expect(sanitizeText('Tom &amp; Jerry &lt;3 "quoted"')).toBe('Tom & Jerry <3 "quoted"');
  });
  it('leaves nothing of a text that is only markup', () => {
    expect(sanitizeText('<p>  </p><br/>')).toBe('');
  });
});

describe('preview', () => {
  it('cuts long texts to 280 characters', () => {
    expect(preview('x'.repeat(500))).toHaveLength(280);
    expect(preview('short')).toBe('short');
  });
});
