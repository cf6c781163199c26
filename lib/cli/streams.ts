/** Where a command writes, and whether it writes JSON. */
export interface Streams {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly json: boolean;
}
