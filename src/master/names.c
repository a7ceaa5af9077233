/*
 * names.c - names and descriptions of the master's task kinds and task
 * results (the strerror-style reporting of dnp3/master.h; no clause).
 */
#include "master/master_internal.h"

static const char *const result_names[DNP3_TASK_RESULT_COUNT] = {
    [DNP3_TASK_SUCCESS] = "SUCCESS",
    [DNP3_TASK_TIMEOUT] = "TIMEOUT",
    [DNP3_TASK_REJECTED] = "REJECTED",
    [DNP3_TASK_MALFORMED] = "MALFORMED",
    [DNP3_TASK_BAD_HEADER] = "BAD_HEADER",
    [DNP3_TASK_BAD_SEQUENCE] = "BAD_SEQUENCE",
    [DNP3_TASK_UNEXPECTED_FUNCTION] = "UNEXPECTED_FUNCTION",
    [DNP3_TASK_ECHO_MISMATCH] = "ECHO_MISMATCH",
    [DNP3_TASK_COMMAND_STATUS] = "COMMAND_STATUS",
    [DNP3_TASK_MISSING_OBJECT] = "MISSING_OBJECT",
    [DNP3_TASK_IIN_NOT_CLEARED] = "IIN_NOT_CLEARED",
    [DNP3_TASK_NO_TIME_SOURCE] = "NO_TIME_SOURCE",
    [DNP3_TASK_DISCONNECTED] = "DISCONNECTED",
    [DNP3_TASK_START_TIMEOUT] = "START_TIMEOUT",
    [DNP3_TASK_CANCELLED] = "CANCELLED",
    [DNP3_TASK_TOO_LARGE] = "TOO_LARGE",
    [DNP3_TASK_UNSUPPORTED] = "UNSUPPORTED",
    [DNP3_TASK_AUTH_FAILED] = "AUTH_FAILED",
};

static const char *const result_text[DNP3_TASK_RESULT_COUNT] = {
    [DNP3_TASK_SUCCESS] = "task completed",
    [DNP3_TASK_TIMEOUT] = "no complete response within the response timeout",
    [DNP3_TASK_REJECTED] = "outstation refused the request (IIN2 function/object/parameter error)",
    [DNP3_TASK_MALFORMED] = "response objects are malformed",
    [DNP3_TASK_BAD_HEADER] = "response header is truncated or its control field is invalid",
    [DNP3_TASK_BAD_SEQUENCE] = "response fragment out of sequence (SEQ, FIR or FIN)",
    [DNP3_TASK_UNEXPECTED_FUNCTION] = "outstation answered with an unexpected function code",
    [DNP3_TASK_ECHO_MISMATCH] = "command echo differs from the request",
    [DNP3_TASK_COMMAND_STATUS] = "outstation reported a command status other than SUCCESS",
    [DNP3_TASK_MISSING_OBJECT] = "an expected object is missing from the response",
    [DNP3_TASK_IIN_NOT_CLEARED] = "the IIN bit the task should clear is still set",
    [DNP3_TASK_NO_TIME_SOURCE] = "no wall-clock time available for time synchronisation",
    [DNP3_TASK_DISCONNECTED] = "connection lost while the task was running",
    [DNP3_TASK_START_TIMEOUT] = "task could not start in time",
    [DNP3_TASK_CANCELLED] = "association removed",
    [DNP3_TASK_TOO_LARGE] = "request larger than the channel's maximum fragment",
    [DNP3_TASK_UNSUPPORTED] =
        "outstation used a feature this master does not support (e.g. it demands secure authentication)",
    [DNP3_TASK_AUTH_FAILED] =
        "secure authentication failed (wrong update key or user, or the outstation refused the MAC)",
};

static const char *const kind_names[DNP3_TASK_KIND_COUNT] = {
    [DNP3_TASK_NONE] = "none",
    [DNP3_TASK_DISABLE_UNSOLICITED] = "disable_unsolicited",
    [DNP3_TASK_INTEGRITY_POLL] = "integrity_poll",
    [DNP3_TASK_ENABLE_UNSOLICITED] = "enable_unsolicited",
    [DNP3_TASK_EVENT_POLL] = "event_poll",
    [DNP3_TASK_CLEAR_RESTART] = "clear_restart",
    [DNP3_TASK_TIME_SYNC] = "time_sync",
    [DNP3_TASK_READ] = "read",
    [DNP3_TASK_COMMAND] = "command",
    [DNP3_TASK_FREEZE] = "freeze",
    [DNP3_TASK_RESTART] = "restart",
    [DNP3_TASK_WRITE] = "write",
    [DNP3_TASK_READ_ATTRIBUTES] = "read_attributes",
    [DNP3_TASK_REQUEST] = "request",
    [DNP3_TASK_AUTH_KEYS] = "auth_session_keys",
    [DNP3_TASK_AUTH_UPDATE_KEY] = "auth_update_key",
};

const char *dnp3_task_result_name(dnp3_task_result r)
{
    return ((unsigned)r < DNP3_TASK_RESULT_COUNT) ? result_names[r] : "UNKNOWN";
}

const char *dnp3_task_result_str(dnp3_task_result r)
{
    return ((unsigned)r < DNP3_TASK_RESULT_COUNT) ? result_text[r] : "unknown task result";
}

const char *dnp3_task_kind_name(dnp3_task_kind k)
{
    return ((unsigned)k < DNP3_TASK_KIND_COUNT) ? kind_names[k] : "unknown";
}
