import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listServiceFolders, SERVICE_README_SECTIONS, serviceReadmeProblems } from '../../src';

const repoRoot = resolve(__dirname, '..', '..', '..', '..');
const good = [
  '# svc',
  '',
  'One paragraph.',
  ...SERVICE_README_SECTIONS.flatMap((s) => ['', `## ${s}`, '', 'text']),
].join('\n');

describe('serviceReadmeProblems', () => {
  it('accepts the sections in order, with ### subsections and ## inside code fences', () => {
    const withExtras = good.replace(
      '## Tests\n',
      '## Tests\n\n### Benchmark\n\n```md\n## not a heading\n```\n',
    );
    expect(serviceReadmeProblems(withExtras)).toEqual([]);
  });

  it('names a missing, an extra, a repeated and a misplaced section', () => {
    expect(serviceReadmeProblems(good.replace('## Tables', '### Tables'))).toEqual([
      'missing section "## Tables"',
    ]);
    expect(serviceReadmeProblems(good.replace('## Layout', '## Layout\n\n## Retries'))).toEqual([
      'unexpected section "## Retries" (make it a ### subsection)',
    ]);
    expect(serviceReadmeProblems(`${good}\n## Routes\n`)).toEqual(['section "## Routes" appears 2 times']);
    const swapped = good
      .replace('## Routes', '## TMP')
      .replace('## Tables', '## Routes')
      .replace('## TMP', '## Tables');
    expect(serviceReadmeProblems(swapped)).toEqual([
      'sections out of order: expected What it owns, Routes, Events in and out, How it works, Tables, Layout, Tests',
    ]);
    expect(serviceReadmeProblems(good.replace('# svc', 'svc'))).toEqual([
      'the first line is not a `# <service>` title',
    ]);
  });
});

describe('every service README', () => {
  const services = listServiceFolders(repoRoot);

  it('finds the services', () => {
    expect(services.length).toBeGreaterThanOrEqual(6);
  });

  it.each(services.map((dir) => [dir.split('/').pop() as string, dir]))(
    '%s has the sections in order',
    (_name, dir) => {
      expect(serviceReadmeProblems(readFileSync(join(repoRoot, dir, 'README.md'), 'utf8'))).toEqual([]);
    },
  );
});
