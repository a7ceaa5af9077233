/*
 * main.c - the dnp3 command: dispatches to its subcommands.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("usage: dnp3 <command> [options]\n");
        return argc < 2 ? 2 : 0;
    }
    fprintf(stderr, "dnp3: unknown command '%s'\n", argv[1]);
    return 2;
}
