import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { type CommunityConfig, parseCommunityConfig } from '#contracts';

export class CommunityFileError extends Error {
  constructor(
    readonly kind: 'conflict' | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Writes a community's document to its file in COMMUNITY_CONFIG_DIR, replaced whole (a temp file
 * renamed over it: readers see the old text or the new). The file is the one the community came
 * from (`knownPath`, when it is in `dir`), else {id}.yaml; never a file that holds another
 * community (file names need not match ids): that is a conflict, and nothing is written.
 */
export async function writeCommunityFile(dir: string, knownPath: string | undefined, config: CommunityConfig, header: string): Promise<{ path: string; sha256: string }> {
  const root = resolve(dir);
  const known = knownPath && dirname(resolve(knownPath)) === root ? resolve(knownPath) : undefined;
  const candidates = [...(known ? [known] : []), join(root, `${config.id}.yaml`)];
  let path: string | undefined;
  let taken = '';
  for (const candidate of candidates) {
    let holder: string | null | undefined;
    try {
      holder = await communityIn(candidate);
    } catch (error) {
      throw new CommunityFileError('unavailable', `cannot read ${candidate} (${(error as Error).message}); nothing was changed`);
    }
    // free, this community's, or this community's own file that a hand edit broke
    if (holder === undefined || holder === config.id || (holder === null && candidate === known)) {
      path = candidate;
      break;
    }
    taken = holder === null ? `${candidate} does not parse` : `${candidate} holds community ${holder}`;
  }
  if (!path) throw new CommunityFileError('conflict', `no file to write community ${config.id} to: ${taken}; rename or fix that file first`);
  const text = `${header.replace(/^/gm, '# ')}\n${stringify(config)}`;
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(root, { recursive: true });
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    throw new CommunityFileError('unavailable', `cannot write the community file ${path} (${(error as Error).message}); nothing was changed`);
  }
  return { path, sha256: createHash('sha256').update(text).digest('hex') };
}

/** The community id a file declares; undefined when there is no such file, null when it does not parse; throws when it cannot be read. */
async function communityIn(path: string): Promise<string | null | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return parseCommunityConfig(text, path).id;
  } catch {
    return null;
  }
}
