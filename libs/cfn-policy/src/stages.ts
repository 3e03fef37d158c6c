/**
 * Dev-like stages hold throwaway data, so their tables may be deleted with the stack: `local` (the
 * laptop's local cloud), `dev`, `test` and per-pull-request stages `pr-<id>`. Every other stage
 * (staging, prod, a person's named stage) is treated as holding data worth keeping.
 */
export function isDevStage(stage: string): boolean {
  return stage === 'local' || stage === 'dev' || stage === 'test' || /^pr-[a-z0-9-]+$/.test(stage);
}
