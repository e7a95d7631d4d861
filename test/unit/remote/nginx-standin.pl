# A stand-in nginx master for reload-proof.test.ts: the process tree and titles nginx shows on
# Linux (Perl's $0 writes the title over argv as nginx's ngx_setproctitle does), without a network.
# On HUP it starts new workers, waits QUIT_DELAY seconds (nginx: 0.1) and sends the old ones QUIT.
# An old worker told to quit takes the title "worker process is shutting down" and then, after
# BUSY seconds running (never asleep), writes the time it stopped accepting to STAMPS/<pid>; it
# then exits, or with LINGER sleeps that long first (as one holding a keepalive connection).
# MODE `stuck`: old workers ignore QUIT. `cache`: a cache manager child that never quits. `refuse`:
# a HUP only appends an [emerg] line to ERROR_LOG, as nginx refusing a configuration does.
use strict;
use warnings;
use Time::HiRes qw(sleep time);

my ($pid_file, $error_log, $stamps, $quit_delay, $busy, $linger, $mode, $title) = @ARGV;
$0 = $title;
$SIG{CHLD} = 'IGNORE';    # children reaped by the kernel: an exited one is gone
my ($hup, @workers, @all) = (0);

sub spawn {
  my ($name, $body) = @_;
  my $pid = fork() // die "fork: $!";
  if ($pid == 0) {
    $SIG{$_} = 'DEFAULT' for qw(HUP TERM CHLD);
    $0 = $name;
    $body->();
    exit 0;
  }
  push @all, $pid;
  return $pid;
}

sub worker {
  my $quit = 0;
  $SIG{QUIT} = $mode eq 'stuck' ? 'IGNORE' : sub { $quit = 1 };
  sleep 0.005 until $quit;
  $0 = 'nginx: worker process is shutting down';
  my $end = time + $busy;
  1 while time < $end;
  open my $f, '>', "$stamps/$$" or die "stamp: $!";
  printf $f "%.6f\n", time;
  close $f;
  sleep $linger if $linger > 0;
}

$SIG{HUP} = sub { $hup = 1 };
$SIG{TERM} = sub { kill 'KILL', @all; exit 0 };
@workers = map { spawn('nginx: worker process', \&worker) } 1 .. 2;
spawn('nginx: cache manager process', sub { $SIG{QUIT} = 'IGNORE'; sleep 1 while 1 }) if $mode eq 'cache';
open my $p, '>', "$pid_file.tmp" or die "pid file: $!";
print $p "$$\n";
close $p;
rename "$pid_file.tmp", $pid_file or die "pid file: $!";
while (1) {
  sleep 0.01;
  next unless $hup;
  $hup = 0;
  if ($mode eq 'refuse') {
    open my $l, '>>', $error_log or die "error log: $!";
    print $l "2026/01/01 00:00:00 [emerg] 1#1: unknown directive \"bad\"\n";
    close $l;
    next;
  }
  my @old = @workers;
  @workers = map { spawn('nginx: worker process', \&worker) } 1 .. 2;
  sleep $quit_delay;
  kill 'QUIT', @old;
}
