/**
 * An error the sandbox answers with. REST API "Status Codes and Error Responses":
 * the body is an array of `{ message, errorCode, fields? }`; inside sObject
 * Collections results the same error is reported as `{ statusCode, message, fields }`.
 */
export class SalesforceApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields: ReadonlyArray<string> = [],
    /** A body other than the error array, e.g. the record list of a 300 Multiple Choices. */
    readonly bodyOverride?: unknown,
  ) {
    super(message);
    this.name = 'SalesforceApiError';
  }

  toResponseBody(): unknown {
    if (this.bodyOverride !== undefined) return this.bodyOverride;
    return [
      this.fields.length > 0
        ? { message: this.message, errorCode: this.errorCode, fields: [...this.fields] }
        : { message: this.message, errorCode: this.errorCode },
    ];
  }

  toCollectionError(): { statusCode: string; message: string; fields: string[] } {
    return { statusCode: this.errorCode, message: this.message, fields: [...this.fields] };
  }
}

export const notFound = (message = 'The requested resource does not exist'): SalesforceApiError =>
  new SalesforceApiError(404, 'NOT_FOUND', message);

export const entityIsDeleted = (): SalesforceApiError =>
  new SalesforceApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted');

export const malformedQuery = (message: string): SalesforceApiError =>
  new SalesforceApiError(400, 'MALFORMED_QUERY', message);
