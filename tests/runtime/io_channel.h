/*
 * io_channel.h - the channel a runtime test hands to dnp3_io_start: built with the given
 * configuration (NULL: dnp3_channel_config_init's defaults) in memory of its own, which the
 * test frees with free(*mem) once the endpoint is stopped.
 */
#ifndef DNP3_TEST_IO_CHANNEL_H
#define DNP3_TEST_IO_CHANNEL_H

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>

#include "dnp3/channel.h"
#include "testutil.h"

static inline dnp3_channel *io_test_channel(const dnp3_channel_config *config, void **mem, dnp3_tstamp now)
{
    dnp3_channel_config defaults;
    if (!config) {
        dnp3_channel_config_init(&defaults);
        config = &defaults;
    }
    size_t need = dnp3_channel_memory_size(config), al = alignof(max_align_t);
    *mem = aligned_alloc(al, (need + al - 1) / al * al);
    assert_non_null(*mem);
    dnp3_channel *ch = dnp3_channel_init(*mem, need, config, now);
    assert_non_null(ch);
    return ch;
}

#endif
