/*
 * link_cli.c - parsing of the link-layer options of the dnp3 command (link_cli.h):
 * confirmed user data (IEEE 1815-2012 clause 9.2.6) and the inter-character timeout.
 */
#include <string.h>

#include "cli_common.h"
#include "link_cli.h"

bool link_cli_is_flag(const char *a)
{
    return !strcmp(a, "--link-confirm");
}

int link_cli_option(const char *cmd, const char *a, const char *v, link_cli_options *l)
{
    uint64_t n;
    if (!strcmp(a, "--link-confirm")) {
        l->confirm = true;
        return 3;
    }
    if (strcmp(a, "--link-retries") != 0 && strcmp(a, "--link-timeout") != 0 && strcmp(a, "--char-timeout") != 0)
        return 0;
    if (!v) return cli_usage_error(cmd, "%s needs a value", a);
    if (!strcmp(a, "--link-retries")) {
        if (cli_uint(cmd, a, v, 0, 255, &n)) return 2;
        l->retries = (uint32_t)n;
        l->have_retries = true;
    } else if (!strcmp(a, "--link-timeout")) {
        if (cli_uint(cmd, a, v, 1, 3600000, &n)) return 2;
        l->timeout_ms = (uint32_t)n;
        l->have_timeout = true;
    } else {
        if (cli_uint(cmd, a, v, 0, 3600000, &n)) return 2;
        l->char_timeout_ms = (uint32_t)n;
    }
    return 1;
}

void link_cli_apply(const link_cli_options *l, dnp3_channel_config *cc)
{
    cc->link_confirmed = l->confirm;
    if (l->have_retries) cc->link_retries = l->retries;
    if (l->have_timeout) cc->link_confirm_timeout_ms = l->timeout_ms;
    cc->char_timeout_ms = l->char_timeout_ms;
}
