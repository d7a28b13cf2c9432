#!/usr/bin/perl
# The benchmark's stamping relay: `perl stamp-relay.pl STAMPS PROGRAM [ARGS...]` runs
# the program with its stdout on a pipe, passes every byte through to its own stdout
# unchanged (the grammar is untouched), and notes when each line came off the pipe on
# CLOCK_MONOTONIC, the clock every benchmark process stamps with (process.hrtime).
# The server reads the relay as it would read the program. Once a line is written on,
# the relay also reads the server's scheduler counters (its parent's /proc/<pid>/schedstat:
# the main thread's time on a CPU, and waiting for one, in ns; "-" where there is no
# /proc): with the server's own at its publish, they tell where the line's wait went.
# When the program ends, STAMPS gets "nice\t<server's>\t<relay's>\t<program's>", then
# one line per line it printed: "<read ms>\t<written on ms>\t<counters read ms>\t<server
# ran ns>\t<server waited ns>\t<the line>".
# Perl, not Node: it starts in a few ms of CPU, where Node's ~100 ms would land on the
# start of every install, the very moment the benchmark measures. Signals are passed
# on; the exit status is the program's.
use strict;
use warnings;
use POSIX ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my ($stamps_file, @command) = @ARGV;
my $server = getppid();
# The server has put its installer (this relay) below itself (src/installer/run.ts); the
# program, forked from here, stays there. The relay is not in a user's install: it goes
# back to the server's priority where it may (root), lest its own waits for a CPU count
# as the server's. The first line of STAMPS says where each ran.
my $server_nice = getpriority(0, $server);
my $program_nice = getpriority(0, 0);
pipe(my $from_program, my $to_relay) or die "stamp-relay: pipe: $!\n";
my $pid = fork() // die "stamp-relay: fork: $!\n";
if ($pid == 0) {
    close $from_program;
    open(STDOUT, '>&', $to_relay) or POSIX::_exit(127);
    open(STDIN, '<', '/dev/null') or POSIX::_exit(127);
    close $to_relay;
    exec { $command[0] } @command or POSIX::_exit(127);
}
close $to_relay;
setpriority(0, 0, $server_nice);
my $relay_nice = getpriority(0, 0);
for my $signal (qw(TERM INT HUP)) {
    $SIG{$signal} = sub { kill $signal, $pid };
}

my $now = sub { clock_gettime(CLOCK_MONOTONIC) * 1000 };
my $server_scheduler = sub {
    open(my $counters, '<', "/proc/$server/schedstat") or return ('-', '-');
    my ($ran, $waited) = split ' ', (<$counters> // '');
    close $counters;
    return defined $waited ? ($ran, $waited) : ('-', '-');
};
my @stamps;
my $partial = '';
for (;;) {
    my $got = sysread($from_program, my $chunk, 65536);
    if (!defined $got) {
        next if $!{EINTR};
        last;
    }
    last if $got == 0;
    my $read = $now->();
    # fd 1 is the server's pipe, blocking here: written before the next read.
    my $offset = 0;
    while ($offset < $got) {
        my $wrote = syswrite(STDOUT, $chunk, $got - $offset, $offset);
        if (!defined $wrote) {
            next if $!{EINTR};
            last;
        }
        $offset += $wrote;
    }
    my $written = $now->();
    # After the stamp, not between the read and the write: the line is not held for it.
    my @scheduler = $server_scheduler->();
    my $counted = $now->();
    $partial .= $chunk;
    while ($partial =~ s/^([^\n]*)\n//) {
        push @stamps, sprintf("%.4f\t%.4f\t%.4f\t%s\t%s\t%s\n", $read, $written, $counted, @scheduler, $1);
    }
}
while (waitpid($pid, 0) < 0 && $!{EINTR}) { }
my $status = $?;
open(my $out, '>', $stamps_file) or die "stamp-relay: $stamps_file: $!\n";
print {$out} "nice\t$server_nice\t$relay_nice\t$program_nice\n", @stamps;
close $out;
exit($status & 127 ? 128 + ($status & 127) : $status >> 8);
