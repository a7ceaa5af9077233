/*
 * cmd_decode.c - `dnp3 decode`: option parsing and input reading for the
 * offline decoder. Hex comes from the arguments or standard input (a stream
 * of link frames in either direction, or with --apdu one bare application
 * fragment); --pcap, or an argument that is a file with a pcap/pcapng magic
 * number, reads a capture. The decoding itself is decode_stream.c /
 * decode_pcap.c; this file only turns the command line into calls and the
 * result into an exit status (0 clean, 1 problems reported, 2 usage error).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu_print.h"
#include "commands.h"
#include "decode_pcap.h"
#include "decode_stream.h"
#include "hexin.h"

static void decode_help(FILE *f)
{
    fputs("usage: dnp3 decode [options] [HEX...]\n"
          "\n"
          "Decodes DNP3 (IEEE 1815) traffic layer by layer: link frames (control,\n"
          "addresses, CRCs), transport segments, application fragments and object values.\n"
          "\n"
          "input (one of):\n"
          "  HEX...          octets as hex arguments: '05 64 05 C0 01 00 00 04 E9 21' or\n"
          "                  '056405C001000004E921'; spaces, commas, '|' and 0x prefixes are\n"
          "                  fine, '#' starts a comment\n"
          "  (nothing)       the same hex read from standard input\n"
          "  --pcap FILE     a pcap or pcapng capture: TCP (reassembled per direction)\n"
          "                  and UDP traffic on the DNP3 port\n"
          "  FILE            the same, for a file that starts with a pcap or pcapng\n"
          "                  magic number\n"
          "\n"
          "options:\n"
          "  --apdu          the hex is one bare application fragment (no link/transport)\n"
          "  --port N        port for a capture (default 20000)\n"
          "  --json          one JSON object per line: per application fragment, per\n"
          "                  link frame without user data, and per problem outside a fragment\n"
          "  --level LIST    what to print, comma-separated: link, transport, app, objects,\n"
          "                  all (default) or none; or 1-4 (1 = link ... 4 = all)\n"
          "  -h, --help      this help\n"
          "\n"
          "Problems (bad CRCs, broken headers, transport gaps, ...) are printed as\n"
          "'error: offset N: ...' lines naming the input offset, and decoding continues.\n"
          "\n"
          "exit status: 0 everything decoded, 1 problems were reported, 2 usage error\n"
          "\n"
          "examples:\n"
          "  dnp3 decode 05 64 05 C0 01 00 00 04 E9 21\n"
          "  echo 'C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06' | dnp3 decode --apdu\n"
          "  dnp3 decode --pcap capture.pcapng --json\n"
          "  dnp3 decode capture.pcap --level app\n",
          f);
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int
usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dnp3 decode: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(see 'dnp3 decode --help')\n", stderr);
    return 2;
}

/* Reads all of standard input. Returns 0 or -1 (message printed). */
static int read_stdin(hex_buf *text)
{
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        if (hex_buf_append(text, chunk, n) != 0) {
            fputs("dnp3 decode: out of memory reading standard input\n", stderr);
            return -1;
        }
    if (ferror(stdin)) {
        fprintf(stderr, "dnp3 decode: cannot read standard input: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static int parse_port(const char *s, unsigned *port)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v == 0 || v > 65535 || s[0] == '-') return -1;
    *port = (unsigned)v;
    return 0;
}

static int cmd_decode_run(int argc, char **argv, char **hexargs);

int cmd_decode(int argc, char **argv)
{
    /* hex arguments, in order (options may come anywhere) */
    char **hexargs = calloc((size_t)argc + 1, sizeof *hexargs);
    if (!hexargs) {
        fputs("dnp3 decode: out of memory\n", stderr);
        return 2;
    }
    int rc = cmd_decode_run(argc, argv, hexargs);
    free(hexargs);
    return rc;
}

static int cmd_decode_run(int argc, char **argv, char **hexargs)
{
    const char *pcap = NULL;
    unsigned port = 20000, levels = DNP3_DECODE_ALL;
    bool apdu = false, json = false, port_given = false;
    int nhex = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            decode_help(stdout);
            return 0;
        } else if (strcmp(a, "--pcap") == 0) {
            if (++i >= argc) return usage_error("%s needs a file name", a);
            pcap = argv[i];
        } else if (strcmp(a, "--port") == 0) {
            if (++i >= argc) return usage_error("%s needs a number", a);
            if (parse_port(argv[i], &port) != 0) return usage_error("invalid port '%s' (1-65535)", argv[i]);
            port_given = true;
        } else if (strcmp(a, "--level") == 0) {
            if (++i >= argc) return usage_error("%s needs a list", a);
            if (dnp3_decode_levels_parse(argv[i], &levels) != 0)
                return usage_error("invalid level list '%s' (link,transport,app,objects,all,none or 1-4)",
                                   argv[i]);
        } else if (strcmp(a, "--apdu") == 0) {
            apdu = true;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--") == 0) {
            while (++i < argc) hexargs[nhex++] = argv[i];
            break;
        } else if (a[0] == '-' && a[1] != 0) {
            return usage_error("unknown option '%s'", a);
        } else {
            hexargs[nhex++] = argv[i];
        }
    }
    /* `dnp3 decode capture.pcap`: an argument that is a file with a pcap/pcapng magic number */
    for (int k = 0; k < nhex; k++) {
        if (!dnp3_decode_pcap_is_capture(hexargs[k])) continue;
        if (pcap) return usage_error("give one capture ('%s' and '%s')", pcap, hexargs[k]);
        pcap = hexargs[k];
        for (int m = k; m + 1 < nhex; m++) hexargs[m] = hexargs[m + 1];
        nhex--;
        k--;
    }
    if (pcap && nhex) return usage_error("give either a capture or hex, not both");
    if (pcap && apdu) return usage_error("--apdu does not apply to a capture");
    if (port_given && !pcap) return usage_error("--port only applies to a capture");

    decoder d;
    dnp3_decoder_init(&d, stdout, levels, json);

    if (pcap) {
        char err[512];
        if (dnp3_decode_pcap_file(&d, pcap, (uint16_t)port, err, sizeof err) != 0) {
            fflush(stdout);
            fprintf(stderr, "dnp3 decode: %s\n", err);
            return 2;
        }
    } else {
        hex_buf octets = {0};
        char err[200];
        size_t pos = 0;
        if (nhex) {
            for (int k = 0; k < nhex; k++) {
                if (hex_parse(hexargs[k], strlen(hexargs[k]), &octets, &pos, err, sizeof err) != 0) {
                    fprintf(stderr, "dnp3 decode: hex argument %d (\"%.40s\"), character %zu: %s\n", k + 1,
                            hexargs[k], pos + 1, err);
                    FILE *f = fopen(hexargs[k], "rb");
                    if (f) {
                        fclose(f);
                        fprintf(stderr, "dnp3 decode: '%s' is a file, but not a pcap or pcapng capture\n",
                                hexargs[k]);
                    }
                    hex_buf_free(&octets);
                    return 2;
                }
            }
        } else {
            hex_buf text = {0};
            if (read_stdin(&text) != 0) {
                hex_buf_free(&text);
                return 2;
            }
            if (hex_parse((const char *)text.data, text.len, &octets, &pos, err, sizeof err) != 0) {
                size_t line, col;
                hex_line_col((const char *)text.data, pos, &line, &col);
                fprintf(stderr, "dnp3 decode: standard input line %zu, column %zu: %s\n", line, col, err);
                hex_buf_free(&text);
                hex_buf_free(&octets);
                return 2;
            }
            hex_buf_free(&text);
        }
        if (octets.len == 0) {
            hex_buf_free(&octets);
            return usage_error("no octets to decode");
        }
        if (apdu) {
            dnp3_decode_apdu(&d, octets.data, octets.len);
        } else {
            decode_stream s;
            dnp3_decode_stream_init(&s, &d, "", NULL);
            dnp3_decode_stream_push(&s, octets.data, octets.len);
            dnp3_decode_stream_end(&s);
            dnp3_decode_stream_free(&s);
        }
        hex_buf_free(&octets);
    }
    fflush(stdout);
    if (d.errors) {
        fprintf(stderr, "dnp3 decode: %llu problem%s reported\n", (unsigned long long)d.errors,
                d.errors == 1 ? "" : "s");
        return 1;
    }
    return 0;
}
