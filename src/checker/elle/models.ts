// The names of Elle's checkers, apart from the checkers: `faultline check` validates --model with them and
// loads the checkers (11 modules) only for a history that needs one.
export const ELLE_MODELS = ['list-append', 'set-full', 'watch'] as const;
export type ElleModel = (typeof ELLE_MODELS)[number];

export function isElleModel(s: string): s is ElleModel {
  return (ELLE_MODELS as readonly string[]).includes(s);
}
