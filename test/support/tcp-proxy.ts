// A TCP proxy on loopback in front of one port, for network faults in tests:
// `pause` stalls every connection both ways while keeping it open (a
// partition, or a peer that stopped reading), `resume` lets the held bytes
// through, `cut` resets every current connection.
import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { LOOPBACK } from "./redis-topology.js";
import type { Address } from "./redis-topology.js";

export interface TcpProxy extends Address {
  /** `redis://127.0.0.1:PORT`, for pointing a Redis client at the proxy. */
  readonly url: string;
  readonly target: Address;
  /** Connections open now (client side). */
  readonly connections: number;
  readonly paused: boolean;
  /**
   * Stops forwarding bytes in both directions; connections stay open and new
   * ones are accepted and held the same way. Bytes sent meanwhile wait in the
   * socket buffers and are delivered on `resume`.
   */
  pause(): void;
  resume(): void;
  /** Destroys (RST) every current connection, both sides; new ones are accepted. */
  cut(): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

/** Listens on a free loopback port and forwards each connection to `target` (host defaults to 127.0.0.1). */
export async function startTcpProxy(target: { readonly host?: string; readonly port: number }): Promise<TcpProxy> {
  const to: Address = { host: target.host ?? LOOPBACK, port: target.port };
  const pairs = new Set<Pair>();
  let paused = false;

  const server = createServer((client) => {
    const upstream = connect({ host: to.host, port: to.port });
    const pair: Pair = { client, upstream };
    pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const end = (): void => {
      if (!pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
    client.on("data", (chunk: Buffer) => {
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!client.write(chunk)) upstream.pause();
    });
    client.on("drain", () => {
      if (!paused) upstream.resume();
    });
    upstream.on("drain", () => {
      if (!paused) client.resume();
    });
    if (paused) {
      client.pause();
      upstream.pause();
    }
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const cut = (): void => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      reset(pair.client);
      reset(pair.upstream);
    }
  };

  let closed: Promise<void> | undefined;
  return {
    host: LOOPBACK,
    port,
    url: `redis://${LOOPBACK}:${port}`,
    target: to,
    get connections() {
      return pairs.size;
    },
    get paused() {
      return paused;
    },
    pause() {
      paused = true;
      for (const { client, upstream } of pairs) {
        client.pause();
        upstream.pause();
      }
    },
    resume() {
      paused = false;
      for (const { client, upstream } of pairs) {
        client.resume();
        upstream.resume();
      }
    },
    cut,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        cut();
      });
      return closed;
    },
  };
}

/** Closes with a RST where the socket allows it (not while still connecting), else destroys. */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    if (socket.connecting) socket.destroy();
    else socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
