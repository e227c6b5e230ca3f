//! Status code constants, as httplib names them, and the code → reason table.

macro_rules! statuses {
    ($($(#[$doc:meta])* $name:ident = $code:expr, $reason:expr;)*) => {
        $(
            #[doc = concat!("`", stringify!($code), " ", $reason, "`.")]
            pub const $name: u16 = $code;
        )*

        /// Every status code this module names, with its reason phrase
        /// (httplib's `responses`, as a sorted table).
        pub static RESPONSES: &[(u16, &str)] = &[$(($code, $reason)),*];
    };
}

statuses! {
    CONTINUE = 100, "Continue";
    SWITCHING_PROTOCOLS = 101, "Switching Protocols";
    PROCESSING = 102, "Processing";
    EARLY_HINTS = 103, "Early Hints";
    OK = 200, "OK";
    CREATED = 201, "Created";
    ACCEPTED = 202, "Accepted";
    NON_AUTHORITATIVE_INFORMATION = 203, "Non-Authoritative Information";
    NO_CONTENT = 204, "No Content";
    RESET_CONTENT = 205, "Reset Content";
    PARTIAL_CONTENT = 206, "Partial Content";
    MULTI_STATUS = 207, "Multi-Status";
    ALREADY_REPORTED = 208, "Already Reported";
    IM_USED = 226, "IM Used";
    MULTIPLE_CHOICES = 300, "Multiple Choices";
    MOVED_PERMANENTLY = 301, "Moved Permanently";
    FOUND = 302, "Found";
    SEE_OTHER = 303, "See Other";
    NOT_MODIFIED = 304, "Not Modified";
    USE_PROXY = 305, "Use Proxy";
    TEMPORARY_REDIRECT = 307, "Temporary Redirect";
    PERMANENT_REDIRECT = 308, "Permanent Redirect";
    BAD_REQUEST = 400, "Bad Request";
    UNAUTHORIZED = 401, "Unauthorized";
    PAYMENT_REQUIRED = 402, "Payment Required";
    FORBIDDEN = 403, "Forbidden";
    NOT_FOUND = 404, "Not Found";
    METHOD_NOT_ALLOWED = 405, "Method Not Allowed";
    NOT_ACCEPTABLE = 406, "Not Acceptable";
    PROXY_AUTHENTICATION_REQUIRED = 407, "Proxy Authentication Required";
    REQUEST_TIMEOUT = 408, "Request Timeout";
    CONFLICT = 409, "Conflict";
    GONE = 410, "Gone";
    LENGTH_REQUIRED = 411, "Length Required";
    PRECONDITION_FAILED = 412, "Precondition Failed";
    REQUEST_ENTITY_TOO_LARGE = 413, "Request Entity Too Large";
    REQUEST_URI_TOO_LONG = 414, "Request-URI Too Long";
    UNSUPPORTED_MEDIA_TYPE = 415, "Unsupported Media Type";
    REQUESTED_RANGE_NOT_SATISFIABLE = 416, "Requested Range Not Satisfiable";
    EXPECTATION_FAILED = 417, "Expectation Failed";
    IM_A_TEAPOT = 418, "I'm a Teapot";
    MISDIRECTED_REQUEST = 421, "Misdirected Request";
    UNPROCESSABLE_ENTITY = 422, "Unprocessable Entity";
    LOCKED = 423, "Locked";
    FAILED_DEPENDENCY = 424, "Failed Dependency";
    TOO_EARLY = 425, "Too Early";
    UPGRADE_REQUIRED = 426, "Upgrade Required";
    PRECONDITION_REQUIRED = 428, "Precondition Required";
    TOO_MANY_REQUESTS = 429, "Too Many Requests";
    REQUEST_HEADER_FIELDS_TOO_LARGE = 431, "Request Header Fields Too Large";
    UNAVAILABLE_FOR_LEGAL_REASONS = 451, "Unavailable For Legal Reasons";
    INTERNAL_SERVER_ERROR = 500, "Internal Server Error";
    NOT_IMPLEMENTED = 501, "Not Implemented";
    BAD_GATEWAY = 502, "Bad Gateway";
    SERVICE_UNAVAILABLE = 503, "Service Unavailable";
    GATEWAY_TIMEOUT = 504, "Gateway Timeout";
    HTTP_VERSION_NOT_SUPPORTED = 505, "HTTP Version Not Supported";
    VARIANT_ALSO_NEGOTIATES = 506, "Variant Also Negotiates";
    INSUFFICIENT_STORAGE = 507, "Insufficient Storage";
    LOOP_DETECTED = 508, "Loop Detected";
    NOT_EXTENDED = 510, "Not Extended";
    NETWORK_AUTHENTICATION_REQUIRED = 511, "Network Authentication Required";
}

/// httplib's default port for HTTP.
pub const HTTP_PORT: u16 = 80;
/// httplib's default port for HTTPS.
pub const HTTPS_PORT: u16 = 443;

/// The reason phrase for `code` (httplib's `responses[code]`), if it has one.
///
/// ```
/// assert_eq!(httpcore::status::responses(httpcore::status::NOT_FOUND), Some("Not Found"));
/// assert_eq!(httpcore::status::responses(299), None);
/// ```
pub fn responses(code: u16) -> Option<&'static str> {
    RESPONSES
        .binary_search_by_key(&code, |&(c, _)| c)
        .ok()
        .map(|i| RESPONSES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(RESPONSES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(responses(OK), Some("OK"));
        assert_eq!(responses(NOT_EXTENDED), Some("Not Extended"));
        assert_eq!(responses(CONTINUE), Some("Continue"));
        assert_eq!(responses(600), None);
        // Every httplib 2.6 constant is here.
        for code in [
            100, 101, 102, 200, 201, 202, 203, 204, 205, 206, 207, 226, 300, 301, 302, 303, 304,
            305, 307, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414,
            415, 416, 417, 422, 423, 424, 426, 500, 501, 502, 503, 504, 505, 507, 510,
        ] {
            assert!(responses(code).is_some(), "{code}");
        }
    }
}
