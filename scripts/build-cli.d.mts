/** dist/tsvirsh: the shell's CommonJS chunks. */
export declare const CLI_DIR: string;
/** Builds tsvirsh into CLI_DIR (see build-cli.mjs). */
export declare function buildCli(): Promise<void>;
