import { Catch, HttpException, HttpStatus, type ArgumentsHost, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const ERROR_CODE = /^[a-z][a-z0-9_]*$/;

const snakeCase = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

/**
 * The body of an HttpException as the API answers it. Nest's own refusals — the router's 404 for
 * an unknown route or method, ParseUUIDPipe's 400, an exception thrown without a body — say
 * `{ statusCode, message, error: 'Bad Request' }`; every error of the API names its problem with a
 * snake_case `error` code, so they get one: `invalid_request` (400), `route_not_found` (the
 * router's 404), else the status's name (`not_found`, `forbidden`, …). Bodies that carry their own
 * code pass unchanged.
 */
export function withErrorCode(status: number, response: string | object): string | object {
  if (typeof response !== 'object' || response === null) return response;
  const body = response as { statusCode?: unknown; message?: unknown; error?: unknown };
  if (typeof body.statusCode !== 'number' || (typeof body.error === 'string' && ERROR_CODE.test(body.error))) return response;
  const message = Array.isArray(body.message) ? body.message.join('; ') : typeof body.message === 'string' ? body.message : undefined;
  const named = typeof body.error === 'string' ? body.error : (HttpStatus[status] ?? 'error');
  const error = status === 400 ? 'invalid_request' : status === 404 && message?.startsWith('Cannot ') ? 'route_not_found' : snakeCase(named) || 'error';
  return { ...body, error, ...(message !== undefined ? { message } : {}) };
}

/** Every HttpException answered through withErrorCode (hardenHttp registers it on each service). */
@Catch(HttpException)
export class HttpErrorCodes extends BaseExceptionFilter {
  constructor(httpAdapter: HttpServer) {
    super(httpAdapter);
  }

  override catch(exception: HttpException, host: ArgumentsHost): void {
    const response = exception.getResponse();
    const coded = withErrorCode(exception.getStatus(), response);
    super.catch(coded === response ? exception : new HttpException(coded, exception.getStatus(), { cause: exception }), host);
  }
}

/**
 * What Node's HTTP parser refuses before any route sees it — a URL and headers over its 16 kB
 * (`maxHeaderSize`), or bytes that are not HTTP — answered like every other error: JSON with a
 * code (431 `request_headers_too_large`, 400 `malformed_request`), not Node's bare status line.
 */
export function answerParserErrorsAsJson(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const [status, reason, body] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', { error: 'request_headers_too_large', message: 'The URL and headers together are longer than the 16 kB this service reads.' }]
        : [400, 'Bad Request', { error: 'malformed_request', message: 'The request is not valid HTTP.' }];
    const json = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${json}`);
  });
}
