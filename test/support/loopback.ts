// A real HTTP server on 127.0.0.1 for exercising token clients end to end.
import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, e.g. `/v1/oauth/token`. */
  readonly url: string;
  /** Lower-cased header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A normal answer. An object body is JSON-encoded and sent as `application/json`. */
export interface TokenServerReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | object;
}

/** Raw access for misbehaving on purpose (destroy the socket, never answer, trickle bytes). */
export interface RawExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly socket: Socket;
}

/**
 * Answers a request. Returning a reply sends it; returning nothing leaves the
 * response to the handler, which then uses `raw`.
 */
export type TokenServerHandler = (
  request: RecordedRequest,
  raw: RawExchange,
) => TokenServerReply | void | Promise<TokenServerReply | void>;

export interface TokenServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** Every request received so far, in order. */
  readonly requests: RecordedRequest[];
  /** Drops all connections (including ones never answered) and stops listening. */
  close(): Promise<void>;
}

export async function startTokenServer(handler: TokenServerHandler): Promise<TokenServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const socket = req.socket;
    // A client that gives up mid-answer resets the socket; that is expected here.
    socket.on("error", () => undefined);
    res.on("error", () => undefined);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      Promise.resolve()
        .then(() => handler(recorded, { req, res, socket }))
        .then(
          (reply) => {
            if (reply) send(res, reply);
          },
          (error: unknown) => {
            if (!res.headersSent) send(res, { status: 500, body: `handler failed: ${String(error)}` });
          },
        );
    });
  });
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function send(res: ServerResponse, reply: TokenServerReply): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...reply.headers };
  let body: string | undefined;
  if (typeof reply.body === "string") {
    body = reply.body;
  } else if (reply.body !== undefined) {
    body = JSON.stringify(reply.body);
    const hasType = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
    if (!hasType) headers["Content-Type"] = "application/json";
  }
  res.writeHead(reply.status, headers);
  res.end(body);
}
