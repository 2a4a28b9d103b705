import { createServer, type AddressInfo } from 'node:net';

/**
 * A loopback port the OS says is free right now (bind to 0, read it, release it). Nothing
 * listens there afterwards, until someone binds it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
