// Types of load-bundle.js, for the TypeScript tests that load the built bundle.
import type { Script } from 'node:vm';

export interface BundleExports {
  main(argv: string[]): Promise<number>;
}
export declare const BUNDLE: string;
export declare const CODE_CACHE: string;
export declare function runBundle(cachedData: Buffer | undefined): { exports: BundleExports; script: Script };
export declare function loadBundle(): BundleExports;
