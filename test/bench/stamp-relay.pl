#!/usr/bin/perl
# The benchmark's stamping relay: `perl stamp-relay.pl STAMPS PROGRAM [ARGS...]` runs
# the program with its stdout on a pipe, passes every byte through to its own stdout
# unchanged (the grammar is untouched), and notes when each line came off the pipe on
# CLOCK_MONOTONIC, the clock every benchmark process stamps with (process.hrtime).
# The server reads the relay as it would read the program. When the program ends, one
# line per line it printed goes to STAMPS: "<read ms>\t<written on ms>\t<the line>".
# Perl, not Node: it starts in a few ms of CPU, where Node's ~100 ms would land on the
# start of every install, the very moment the benchmark measures. Signals are passed
# on; the exit status is the program's.
use strict;
use warnings;
use POSIX ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my ($stamps_file, @command) = @ARGV;
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
for my $signal (qw(TERM INT HUP)) {
    $SIG{$signal} = sub { kill $signal, $pid };
}

my $now = sub { clock_gettime(CLOCK_MONOTONIC) * 1000 };
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
    $partial .= $chunk;
    while ($partial =~ s/^([^\n]*)\n//) {
        push @stamps, sprintf("%.4f\t%.4f\t%s\n", $read, $written, $1);
    }
}
while (waitpid($pid, 0) < 0 && $!{EINTR}) { }
my $status = $?;
open(my $out, '>', $stamps_file) or die "stamp-relay: $stamps_file: $!\n";
print {$out} @stamps;
close $out;
exit($status & 127 ? 128 + ($status & 127) : $status >> 8);
