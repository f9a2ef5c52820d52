/**
 * The default branch of an exhaustive `switch`: the compiler proves it unreachable
 * (`x` has type `never`), and if a value the types did not foresee arrives at run time
 * (stored JSON from a newer build), the error names what it was.
 */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what} ${JSON.stringify(x)}`);
}
