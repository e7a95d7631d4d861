/**
 * An SSH key pair from ssh2's generator, sound: about 1 in 200 ed25519 pairs it makes has a public
 * key with a dropped leading zero byte (31 bytes) that parseKey refuses, so a server using it fails
 * its host-key check at random. Such a pair is made again.
 */
import ssh2 from 'ssh2';

export function soundKeyPair(generate: () => { private: string; public: string }): {
  private: string;
  public: string;
} {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = generate();
    if (!(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error('ssh2 made no parsable public key in 20 attempts');
}
