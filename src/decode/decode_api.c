/*
 * decode_api.c - the public face of the decoder (dnp3/decode.h): octets or a capture in, text
 * or JSON lines out, through the pipeline of decode_stream.c and decode_pcap.c.
 */
#include "core/config.h"
#include "dnp3/decode.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "decode_pcap.h"
#include "decode_stream.h"
#include "dnp3/types.h"

static void decode_options_defaults(dnp3_decode_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->levels = DNP3_DECODE_ALL;
    o->port = 20000;
}

void dnp3_decode_options_init_size(dnp3_decode_options *c, size_t size)
{
    dnp3_decode_options full;
    decode_options_defaults(&full);
    dnp3_config_fill(c, size, &full, sizeof full);
}

/* The caller's options with the defaults for what an older, smaller size lacks. */
static bool load(const dnp3_decode_options *in, dnp3_decode_options *out)
{
    dnp3_decode_options_init(out);
    if (!in) return true;
    return dnp3_config_overlay(out, sizeof *out, in, offsetof(dnp3_decode_options, levels) + sizeof in->levels);
}

static long problems(const decoder *d)
{
    return d->errors > (uint64_t)LONG_MAX ? LONG_MAX : (long)d->errors;
}

long dnp3_decode_octets(const uint8_t *data, size_t len, const dnp3_decode_options *o, FILE *out)
{
    dnp3_decode_options opt;
    if (!out || (!data && len) || !load(o, &opt)) return DNP3_ERR_INVALID_ARG;
    decoder d;
    dnp3_decoder_init(&d, out, opt.levels, opt.json);
    if (opt.apdu) {
        dnp3_decode_apdu(&d, data, len);
    } else {
        decode_stream s;
        dnp3_decode_stream_init(&s, &d, "", NULL);
        dnp3_decode_stream_push(&s, data, len);
        dnp3_decode_stream_end(&s);
        dnp3_decode_stream_free(&s);
    }
    return problems(&d);
}

long dnp3_decode_capture(const char *path, const dnp3_decode_options *o, FILE *out, char *err, size_t errcap)
{
    dnp3_decode_options opt;
    char scratch[1];
    if (!err || !errcap) err = scratch, errcap = sizeof scratch;
    err[0] = 0;
    if (!path || !out || !load(o, &opt)) return DNP3_ERR_INVALID_ARG;
    decoder d;
    dnp3_decoder_init(&d, out, opt.levels, opt.json);
    if (dnp3_decode_pcap_file(&d, path, opt.port, err, errcap) != 0) return DNP3_ERR_IO;
    return problems(&d);
}

bool dnp3_decode_is_capture(const char *path)
{
    return path && dnp3_decode_pcap_is_capture(path);
}
