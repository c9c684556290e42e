#!/usr/bin/env bash
# A real single-node Apache Kafka 4.x broker (KRaft: broker and controller in one JVM) run from
# Maven Central jars, without Docker. The jars are those of infra/kafka/pom.xml.
#
#   broker.sh fetch      copy the broker's jars into the cache (skipped when already complete)
#   broker.sh start      start in the background, wait until ready, print KAFKA_BROKERS=host:port
#   broker.sh stop       SIGTERM, wait up to 60 s for a clean exit, then SIGKILL
#   broker.sh restart    stop, then start on the same ports with the same data
#   broker.sh kill       SIGKILL at once (a crash, for outage tests); start/restart recovers
#   broker.sh status     print the state; exit 0 when running, 3 when not
#   broker.sh clean      stop, then delete the run dir (data and logs)
#
# Options (or the environment variable after each):
#   --run-dir DIR   KAFKA_RUN_DIR         config, data, logs, pidfile; default <repo>/.kafka
#   --port N        KAFKA_PORT            client port; default: the run dir's last one if it is
#                                         still free, else a free port on 127.0.0.1
#                   KAFKA_CONTROLLER_PORT controller port, chosen the same way
#                   KAFKA_START_TIMEOUT   seconds to wait for readiness; default 90
#                   KAFKA_HEAP_OPTS       default "-Xms256m -Xmx768m"
#                   KAFKA_JVM_PERFORMANCE_OPTS  default "-XX:+UseG1GC -XX:MaxGCPauseMillis=20
#                                         -XX:TieredStopAtLevel=1"
#                   KAFKA_LIBS_DIR        default ${XDG_CACHE_HOME:-$HOME/.cache}/entente/kafka-<version>/libs
#                   JAVA_HOME             java is $JAVA_HOME/bin/java when set
#
# Only `start` (and `restart`) print on stdout, one line KAFKA_BROKERS=127.0.0.1:<port>, so that
# callers can `eval`/`export` it; everything else goes to stderr. The same line is written to
# <run dir>/brokers.env.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# pom.xml is the one place the version is written.
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/entente/kafka-$KAFKA_VERSION
LIBS=${KAFKA_LIBS_DIR:-$CACHE_DIR/libs}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
STOP_TIMEOUT=60
READY_LINE='Kafka Server started'

log() { echo "broker.sh: $*" >&2; }
die() { log "$*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# --- arguments ---------------------------------------------------------------------------------

[[ $# -ge 1 ]] || usage
COMMAND=$1
shift
RUN_DIR=${KAFKA_RUN_DIR:-$REPO/.kafka}
PORT=${KAFKA_PORT:-}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-}
while [[ $# -gt 0 ]]; do
  case $1 in
    --run-dir) RUN_DIR=${2:?--run-dir needs a directory}; shift 2 ;;
    --port) PORT=${2:?--port needs a number}; shift 2 ;;
    *) usage ;;
  esac
done

# Absolute, so that the config, the JVM and later invocations agree whatever the cwd.
RUN_DIR=$(realpath -m "$RUN_DIR")
PIDFILE=$RUN_DIR/kafka.pid
PORTS_FILE=$RUN_DIR/ports.env
CONFIG=$RUN_DIR/server.properties
DATA_DIR=$RUN_DIR/data
LOG_DIR=$RUN_DIR/logs
BROKERS_ENV=$RUN_DIR/brokers.env
# clean deletes a run dir only when this marker says broker.sh made it.
MARKER=$RUN_DIR/.entente-kafka-run-dir

# --- helpers -----------------------------------------------------------------------------------

# One broker.sh at a time per run dir (start/stop/restart racing each other would corrupt it).
# The lock fd is closed in the JVM (see launch) or it would hold the lock for its whole life.
take_lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/.lock"
  flock -w 180 9 || die "another broker.sh holds $RUN_DIR/.lock"
}

# A pid is ours only while it is alive, not a zombie, and is the JVM of this run dir's config:
# a stale pidfile may name a pid since reused by an unrelated process.
broker_pid() {
  [[ -f $PIDFILE ]] || return 1
  local pid state
  pid=$(<"$PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $CONFIG" || return 1
  echo "$pid"
}

process_gone() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
  [[ $state == Z ]]
}

# Free ports as the kernel hands them out (bind to port 0), so two never collide.
pick_free_ports() {
  node -e '
    const net = require("node:net")
    const servers = Array.from({ length: Number(process.argv[1]) }, () => net.createServer())
    Promise.all(servers.map((s) => new Promise((ok, fail) => {
      s.once("error", fail)
      s.listen(0, "127.0.0.1", ok)
    }))).then(() => {
      console.log(servers.map((s) => s.address().port).join(" "))
      for (const s of servers) s.close()
    })
  ' "$1"
}

port_free() {
  node -e '
    const s = require("node:net").createServer()
    s.once("error", () => process.exit(1))
    s.listen(Number(process.argv[1]), "127.0.0.1", () => s.close())
  ' "$1"
}

log_tail() {
  local f
  for f in "$LOG_DIR/stdout.log" "$LOG_DIR/server.log"; do
    [[ -s $f ]] || continue
    echo "----- last lines of $f -----" >&2
    tail -n 40 "$f" >&2
  done
}

print_address() {
  cat "$BROKERS_ENV"
}

# --- subcommands -------------------------------------------------------------------------------

fetch() {
  local want tmp
  # The stamp holds the pom's hash: a changed pom (another version) fetches again.
  want=$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)
  if [[ -f $LIBS/.complete && $(<"$LIBS/.complete") == "$want" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found: Maven is needed to fetch the Kafka jars"
  mkdir -p "$(dirname "$LIBS")"
  # Two fetches at once (say two run dirs) must not interleave in one directory.
  exec 8>"$LIBS.lock"
  flock -w 600 8 || die "another fetch holds $LIBS.lock"
  if [[ -f $LIBS/.complete && $(<"$LIBS/.complete") == "$want" ]]; then
    exec 8>&-
    return 0
  fi
  log "fetching Kafka $KAFKA_VERSION jars into $LIBS"
  tmp=$LIBS.partial
  rm -rf "$tmp"
  # Plugin pinned: Maven 3.8.7 would otherwise pick maven-dependency-plugin 2.8. Maven's output
  # is shown only when it fails.
  if ! mvn -B -q -Dstyle.color=never -f "$HERE/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$LIBS.mvn.log" 2>&1; then
    cat "$LIBS.mvn.log" >&2
    die "fetching the Kafka jars failed (mvn output above)"
  fi
  rm -f "$LIBS.mvn.log"
  echo "$want" >"$tmp/.complete"
  # Swap in whole, so a half-copied directory is never taken for a complete one.
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  exec 8>&-
  log "fetched $(find "$LIBS" -name '*.jar' | wc -l) jars"
}

# keep_ports=1 (restart): the previous ports or nothing, since clients hold that address.
choose_ports() {
  local keep_ports=$1 old_port='' old_controller=''
  if [[ -f $PORTS_FILE ]]; then
    old_port=$(sed -n 's/^PORT=//p' "$PORTS_FILE")
    old_controller=$(sed -n 's/^CONTROLLER_PORT=//p' "$PORTS_FILE")
  fi
  if [[ $keep_ports == 1 && -n $old_port ]]; then
    PORT=${PORT:-$old_port}
    CONTROLLER_PORT=${CONTROLLER_PORT:-$old_controller}
  fi
  # A plain start reuses the last ports only while they are free.
  if [[ -z $PORT && -n $old_port ]] && port_free "$old_port"; then PORT=$old_port; fi
  if [[ -z $CONTROLLER_PORT && -n $old_controller && $old_controller != "$PORT" ]] &&
    port_free "$old_controller"; then
    CONTROLLER_PORT=$old_controller
  fi
  local a b
  while [[ -z $PORT || -z $CONTROLLER_PORT || $PORT == "$CONTROLLER_PORT" ]]; do
    read -r a b < <(pick_free_ports 2)
    [[ -n $PORT ]] || PORT=$a
    if [[ -z $CONTROLLER_PORT || $CONTROLLER_PORT == "$PORT" ]]; then CONTROLLER_PORT=$b; fi
  done
  printf 'PORT=%s\nCONTROLLER_PORT=%s\n' "$PORT" "$CONTROLLER_PORT" >"$PORTS_FILE"
}

write_config() {
  sed -e "s|@PORT@|$PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
    -e "s|@DATA_DIR@|$DATA_DIR|g" "$HERE/server.properties.template" >"$CONFIG"
}

# Storage is formatted once per run dir; later starts (restart) keep its data and cluster id.
format_storage() {
  [[ -f $DATA_DIR/meta.properties ]] && return 0
  local cluster_id
  if [[ -s $RUN_DIR/cluster.id ]]; then
    cluster_id=$(<"$RUN_DIR/cluster.id")
  else
    # A Kafka Uuid: 16 random bytes in unpadded base64url (22 characters). Kafka's own
    # random-uuid never hands out one starting with '-' (it would read as a CLI flag).
    cluster_id=-
    while [[ $cluster_id == -* ]]; do
      cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    done
    echo "$cluster_id" >"$RUN_DIR/cluster.id"
  fi
  # Static controller.quorum.voters: format without --standalone.
  if ! "$JAVA" -Dlog4j2.configurationFile="$HERE/log4j2.yaml" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$LIBS/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" \
    >>"$LOG_DIR/stdout.log" 2>&1; then
    log_tail
    die "formatting $DATA_DIR failed"
  fi
}

launch() {
  local heap=${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}
  # C1 only: the broker comes up sooner on 2 busy cores; tests need no peak throughput
  # (a benchmark sets KAFKA_JVM_PERFORMANCE_OPTS without it).
  local perf=${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:TieredStopAtLevel=1}
  rm -f "$PIDFILE"
  # Its own session (setsid): a Ctrl-C or the exit of whoever ran broker.sh does not reach it;
  # stop does. The inner shell writes its own pid, then becomes the JVM (exec), so the pidfile
  # names the JVM itself. 9>&- closes the lock fd in it (see take_lock).
  # shellcheck disable=SC2086 # $heap and $perf are lists of JVM flags
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PIDFILE" \
    "$JAVA" $heap $perf -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.yaml" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$LIBS/*" kafka.Kafka "$CONFIG" \
    </dev/null >>"$LOG_DIR/stdout.log" 2>&1 9>&- 8>&- &
}

wait_ready() {
  local started=$SECONDS pid=''
  while ((SECONDS - started < START_TIMEOUT)); do
    [[ -z $pid && -s $PIDFILE ]] && pid=$(<"$PIDFILE")
    if [[ -n $pid ]] && process_gone "$pid"; then
      log_tail
      die "the broker exited while starting (logs in $LOG_DIR)"
    fi
    # The log is fresh for each start (see start), so an old run's line cannot match.
    if grep -qF "$READY_LINE" "$LOG_DIR/server.log" 2>/dev/null &&
      (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      log "ready on 127.0.0.1:$PORT after $((SECONDS - started)) s (pid $pid, logs in $LOG_DIR)"
      return 0
    fi
    sleep 0.25
  done
  log_tail
  [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
  rm -f "$PIDFILE"
  die "the broker was not ready after $START_TIMEOUT s (logs in $LOG_DIR)"
}

start() {
  local keep_ports=${1:-0}
  if broker_pid >/dev/null; then
    if [[ -s $BROKERS_ENV ]]; then
      print_address
      return 0
    fi
    # Alive but never reported ready (its broker.sh was killed mid-start): begin again.
    log "a broker that never became ready is running: stopping it"
    stop
  fi
  command -v "$JAVA" >/dev/null || die "java not found: Kafka $KAFKA_VERSION needs Java 17 or later"
  fetch
  touch "$MARKER"
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  rm -f "$BROKERS_ENV"
  choose_ports "$keep_ports"
  write_config
  # One log per start, the previous one kept beside it (an outage test's crash stays readable).
  [[ -f $LOG_DIR/server.log ]] && mv -f "$LOG_DIR/server.log" "$LOG_DIR/server.log.prev"
  : >"$LOG_DIR/stdout.log"
  format_storage
  launch
  wait_ready
  echo "KAFKA_BROKERS=127.0.0.1:$PORT" >"$BROKERS_ENV"
  print_address
}

stop() {
  local pid
  if ! pid=$(broker_pid); then
    rm -f "$PIDFILE" "$BROKERS_ENV"
    log "not running ($RUN_DIR)"
    return 0
  fi
  kill -TERM "$pid"
  local started=$SECONDS
  while ! process_gone "$pid"; do
    if ((SECONDS - started >= STOP_TIMEOUT)); then
      log "no clean exit after $STOP_TIMEOUT s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while ! process_gone "$pid"; do sleep 0.1; done
      break
    fi
    sleep 0.2
  done
  rm -f "$PIDFILE" "$BROKERS_ENV"
  log "stopped pid $pid after $((SECONDS - started)) s"
}

kill_now() {
  local pid
  pid=$(broker_pid) || die "not running ($RUN_DIR)"
  kill -KILL "$pid"
  while ! process_gone "$pid"; do sleep 0.1; done
  rm -f "$PIDFILE" "$BROKERS_ENV"
  log "killed pid $pid"
}

status() {
  local pid
  if pid=$(broker_pid); then
    echo "running: pid $pid, $(cat "$BROKERS_ENV" 2>/dev/null || echo 'not ready yet'), run dir $RUN_DIR"
  else
    echo "stopped: run dir $RUN_DIR"
    return 3
  fi
}

clean() {
  stop
  if [[ ! -f $MARKER ]]; then
    # Nothing but the lock that take_lock just made: no broker ever started here.
    if [[ -z $(find "$RUN_DIR" -mindepth 1 ! -name .lock -print -quit) ]]; then
      rm -rf "$RUN_DIR"
      return 0
    fi
    die "$RUN_DIR was not made by broker.sh: not deleting it"
  fi
  rm -rf "$RUN_DIR"
  log "deleted $RUN_DIR"
}

case $COMMAND in
  fetch) fetch ;;
  start) take_lock; start 0 ;;
  stop) take_lock; stop ;;
  restart) take_lock; stop; start 1 ;;
  kill) take_lock; kill_now ;;
  status) status ;;
  clean) take_lock; clean ;;
  *) usage ;;
esac
