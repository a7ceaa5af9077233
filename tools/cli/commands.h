/*
 * commands.h - the subcommands of the dnp3 command. Each one gets argv with
 * argv[0] = its own name, returns the process exit status (0 success, 1
 * failure or problems found, 2 usage error) and prints its help for -h/--help.
 * To add a command: declare it here and add one line to COMMANDS in main.c.
 */
#ifndef DNP3_CLI_COMMANDS_H
#define DNP3_CLI_COMMANDS_H

/* dnp3 decode: offline decoder for hex input and pcap captures (cmd_decode.c). */
int cmd_decode(int argc, char **argv);

/* dnp3 outstation: a DNP3 outstation simulator on TCP or UDP (cmd_outstation.c). */
int cmd_outstation(int argc, char **argv);

/* dnp3 master: poll, operate, watch, timesync, restart against an outstation (cmd_master.c). */
int cmd_master(int argc, char **argv);

/* dnp3 scan: discover and judge DNP3 endpoints, read-only (cmd_scan.c). */
int cmd_scan(int argc, char **argv);

/* dnp3 master listen: accept outstations that dial in (master_listen.c); called by cmd_master. */
int cmd_master_listen(int argc, char **argv);

/* `dnp3 master run`: tools/cli/gateway/gw_run.c */
int cmd_master_run(int argc, char **argv);

/* dnp3 master file ls|get|put|rm|info: file transfer, group 70 (master_file.c); called by cmd_master. */
int cmd_master_file(int argc, char **argv);

#endif
