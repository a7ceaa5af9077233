/*
 * main.c - the dnp3 command: a table of subcommands {name, function, help}
 * and the dispatcher (dnp3 <command> ..., dnp3 help [command], --help,
 * --version). Unknown commands are usage errors (exit status 2).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "dnp3/version.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} command;

static const command COMMANDS[] = {
    {"decode", cmd_decode, "decode DNP3 frames or fragments from hex, stdin or a pcap capture"},
    {"master", cmd_master, "poll, command, watch, time-sync or restart an outstation (TCP or UDP)"},
    {"outstation", cmd_outstation, "run a DNP3 outstation (substation simulator) on TCP or UDP port 20000"},
    {"scan", cmd_scan, "what listens on a DNP3 port and is it protected (read-only: SA, TLS, attributes)"},
};

#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: dnp3 <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) fprintf(f, "  %-12s %s\n", COMMANDS[i].name, COMMANDS[i].help);
    fprintf(f, "\n'dnp3 help <command>' or 'dnp3 <command> --help' describes a command.\n"
               "'dnp3 --version' prints the version.\n");
}

static const command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0) return &COMMANDS[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("dnp3 %s (libdnp3 %s)\n", DNP3_VERSION_STRING, dnp3_version());
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return 0;
        }
        const command *c = find(argv[2]);
        if (!c) {
            fprintf(stderr, "dnp3: unknown command '%s'\n", argv[2]);
            usage(stderr);
            return 2;
        }
        char help[] = "--help";
        char *hargv[] = {argv[2], help, NULL};
        return c->run(2, hargv);
    }
    const command *c = find(cmd);
    if (!c) {
        fprintf(stderr, "dnp3: unknown command '%s'\n", cmd);
        usage(stderr);
        return 2;
    }
    return c->run(argc - 1, argv + 1);
}
