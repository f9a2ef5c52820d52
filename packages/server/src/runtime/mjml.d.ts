// Types of the part of MJML 5 that render.ts uses (the package ships none).
declare module 'mjml' {
  /** A problem MJML found in the markup. */
  export interface MjmlError {
    line: number;
    message: string;
    tagName: string;
    formattedMessage: string;
  }
  /** Compiled HTML and the problems found (validation level `soft`). */
  export interface MjmlResult {
    html: string;
    errors: MjmlError[];
  }
  /** Compile options. */
  export interface MjmlOptions {
    validationLevel?: 'strict' | 'soft' | 'skip';
    keepComments?: boolean;
    minify?: boolean;
    beautify?: boolean;
    filePath?: string;
  }
  /** Compiles MJML to responsive HTML. */
  export default function mjml2html(input: string, options?: MjmlOptions): Promise<MjmlResult>;
}
