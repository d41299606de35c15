/**
 * OpenAI-style errors: every failure a client can cause is an ApiError with an HTTP status and a body
 * `{"error": {"message", "type", "param", "code"}}`, the shape the official clients parse.
 */
export class ApiError extends Error {
    constructor(
        readonly status: number,
        message: string,
        readonly code: string,
        readonly param: string | null = null,
        readonly type: string = status === 401 ? "authentication_error" : status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error",
    ) {
        super(message);
    }

    body(): { error: { message: string; type: string; param: string | null; code: string } } {
        return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
    }
}

export const badRequest = (message: string, param: string | null = null, code = "invalid_value"): ApiError => new ApiError(400, message, code, param);
