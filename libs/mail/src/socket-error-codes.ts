/**
 * Node's socket and DNS error codes (libuv, getaddrinfo): the connection failed, nothing was said
 * about the message or the account, so trying again later can work. Every provider mapper treats
 * them as TEMPORARY, beside the codes of its own client library.
 */
export const SOCKET_ERROR_CODES: readonly string[] = ['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];
