/*
 * version.c - dnp3_version(): the version the library was built as (dnp3/version.h).
 */
#include "dnp3/version.h"

const char *dnp3_version(void)
{
    return DNP3_VERSION_STRING;
}
