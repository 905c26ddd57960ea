// The web APIs the pure helpers may use: only those Node has too (node --test runs them), so
// that the type checker refuses `document`, `window` or Leaflet in lib/ (tsconfig.json leaves
// out the DOM's types).

declare class URLSearchParams {
  constructor(init?: string | Record<string, string>);
  get(name: string): string | null;
  set(name: string, value: string): void;
  delete(name: string): void;
  toString(): string;
}

interface AbortSignal {
  readonly aborted: boolean;
}

declare class AbortController {
  readonly signal: AbortSignal;
  abort(): void;
}
