import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EngineSnapshot } from '#rules';

/**
 * The rule state on disk: DATA_DIR/rules/state.json, one JSON snapshot of the engine (buffers,
 * clocks, device states, open alerts), replaced atomically (write a temp file, then rename), so
 * a crash leaves the previous snapshot or the new one, never half of one.
 */
export class RuleStateStore {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'rules', 'state.json');
  }

  async load(): Promise<EngineSnapshot | undefined> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as EngineSnapshot;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read rule state ${this.path}: ${(error as Error).message}`);
    }
  }

  async save(snapshot: EngineSnapshot): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(snapshot));
    await rename(temp, this.path);
  }
}
