/**
 * Every service README has the same top-level sections in the same order, so a newcomer who has
 * read one knows where to look in all of them (docs/conventions.md). Topics of their own go under
 * these as `###` subsections.
 */
export const SERVICE_README_SECTIONS = [
  'What it owns',
  'Routes',
  'Events in and out',
  'How it works',
  'Tables',
  'Layout',
  'Tests',
] as const;

/** What is wrong with a service README's `##` headings; empty when it has exactly the sections, in order. */
export function serviceReadmeProblems(markdown: string): string[] {
  const headings: string[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    const match = !inFence && /^## (.+?)\s*$/.exec(line);
    if (match && match[1]) headings.push(match[1]);
  }
  const problems: string[] = [];
  if (!/^# \S/.test(markdown)) problems.push('the first line is not a `# <service>` title');
  const expected: readonly string[] = SERVICE_README_SECTIONS;
  for (const heading of headings) {
    if (!expected.includes(heading))
      problems.push(`unexpected section "## ${heading}" (make it a ### subsection)`);
  }
  for (const section of expected) {
    const count = headings.filter((heading) => heading === section).length;
    if (count === 0) problems.push(`missing section "## ${section}"`);
    if (count > 1) problems.push(`section "## ${section}" appears ${count} times`);
  }
  const known = headings.filter((heading) => expected.includes(heading));
  const inOrder = [...known].sort((a, b) => expected.indexOf(a) - expected.indexOf(b));
  if (problems.length === 0 && known.join('|') !== inOrder.join('|')) {
    problems.push(`sections out of order: expected ${expected.join(', ')}`);
  }
  return problems;
}
