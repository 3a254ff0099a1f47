// The `edtf` package ships no type declarations; this is the slice of its API the ledger uses.
declare module 'edtf' {
  interface EdtfValue {
    readonly min: number | null;
    readonly max: number | null;
    readonly type: string;
  }
  function edtf(input: string, options?: { types?: string[] }): EdtfValue;
  export default edtf;
  /** The parse tree: `{type, values, unspecified?, …}`, values nesting for intervals and sets. */
  export function parse(input: string): unknown;
}
