import type { CipherAlgorithm, CompressionAlgorithm, KexAlgorithm, MacAlgorithm } from 'ssh2';

export interface SshAlgorithms {
  kex: KexAlgorithm[];
  cipher: CipherAlgorithm[];
  hmac: MacAlgorithm[];
  compress: CompressionAlgorithm[];
}

/**
 * The SSH algorithms offered, cheapest safe choice first (the client's order decides). Written out
 * rather than left to ssh2's defaults, so an ssh2 upgrade cannot change what every connection
 * costs, and nothing weak (SHA-1 key exchange or MACs, CBC, arcfour) is ever offered. The costs are
 * measured against OpenSSH on the same hosts in bench/ (handshake figures in bench/RESULTS.md).
 * Host key algorithms are chosen per host from known_hosts (host-key-check.ts: ed25519 first).
 */
export const SSH_ALGORITHMS: Readonly<SshAlgorithms> = {
  /**
   * curve25519: one X25519 exchange, the cheapest and OpenSSH's classic default. Then the NIST
   * curves and 2048+ bit finite-field groups, for servers without it (much dearer: the DH groups
   * cost both sides a modular exponentiation of 2048+ bits).
   */
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group14-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group-exchange-sha256',
  ],
  /**
   * AEAD ciphers (no separate MAC pass): AES-GCM with the AES instructions every x86-64 and ARMv8
   * server has, ChaCha20-Poly1305 for CPUs without them. CTR + encrypt-then-MAC only as a fallback.
   */
  cipher: [
    'aes128-gcm@openssh.com',
    'aes256-gcm@openssh.com',
    'chacha20-poly1305@openssh.com',
    'aes128-ctr',
    'aes256-ctr',
  ],
  /** Used only with a CTR cipher (an AEAD cipher carries its own). */
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  /** The payloads are small scripts and short outputs: compressing them costs more than it saves. */
  compress: ['none'],
};
