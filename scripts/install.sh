#!/usr/bin/env bash
# faafo's installer, with the options of the original's contrib/install.sh (the
# tutorial passes them through cloud-init):
#
#   install.sh -i faafo -i messaging -r api -r worker -r demo            # all in one
#   install.sh -i faafo -i messaging -r api                              # a controller
#   install.sh -i faafo -r worker -e http://CONTROLLER:8080 -m URL_THE_CONTROLLER_PRINTED
#   install.sh -p faafo_VERSION_amd64.deb -r worker -e ... -m ...     # from the package
#
#   -i faafo       install faafo's executables, then write /etc/faafo/faafo.conf from -e,
#                  -m and -d: from the Debian package of -p when it is given; else build
#                  (release) from this checkout; the package's own install.sh
#                  (/usr/share/faafo/install.sh), beside no checkout, takes the installed
#                  package as it is
#   -p PACKAGE     faafo's Debian package (scripts/package makes it), a path or an http(s)
#                  URL: installed with apt-get, with its dependencies, before anything
#                  else, in place of the build (implies -i faafo). Its executables are in
#                  /usr/bin, and -r then enables its systemd units, which run the services
#                  as user faafo, with this host's options in a drop-in
#   -i messaging   install RabbitMQ (Debian's rabbitmq-server), start it, and give faafo a
#                  broker user of its own (FAAFO_BROKER_USER, default faafo; never guest,
#                  which RabbitMQ only lets in from localhost) with a generated password,
#                  kept in faafo.conf's transport_url (an existing one is reused). Unless
#                  -m is given, the services here use it; the script prints the URL other
#                  hosts pass with -m (host: FAAFO_ADVERTISED_HOST, default this host's
#                  first address)
#   -i database    with a sqlite:/// -d, prepare the database file's folder (SQLite is linked
#                  in). With -d postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE, install
#                  Debian's postgresql, make sure a cluster listens on PORT (the main cluster
#                  on 5432, else one named faafo-PORT), open it to other hosts (every
#                  address, scram-sha-256 passwords), and create the role and the database.
#                  A URL without a password gets a generated one, kept in faafo.conf's
#                  database_url (an existing one is reused); the script prints the URL the
#                  API hosts pass with -d (host: FAAFO_ADVERTISED_HOST)
#   -r api         start faafo-api, listening on the port of -e. Writes then need tokens:
#                  unless faafo.conf has them, a worker_token (which workers send with
#                  their results) and an operator_token (which DELETE needs; `faafo
#                  delete` reads it from faafo.conf) are generated and kept there, and the
#                  script prints the -t that worker hosts pass (another API host passes the
#                  same -t, and FAAFO_OPERATOR_TOKEN). FAAFO_OPEN_WRITES=1 leaves writes
#                  open instead, as the original had them (its worker sends no token)
#   -r worker      start faafo-worker, taking tasks from -m and sending results to -e, with
#                  the worker token of -t or faafo.conf
#   -r demo        run `faafo demo` against -e (FAAFO_DEMO_TASKS tasks, default 10) and
#                  print its report; the script exits with the demo's status
#   -k             stop the services this script started (before anything else)
#   -e URL         the API's endpoint            (default http://localhost:8080)
#   -m URL         the broker's transport URL    (default amqp://guest:guest@localhost:5672/,
#                  or the one -i messaging made)
#   -d URL         the database URL              (default sqlite:////var/lib/faafo/faafo.db;
#                  postgresql://, postgres:// and postgresql+psycopg2:// for a shared one)
#   -t TOKEN       the worker token the API host printed, kept in this host's faafo.conf
#
# Services run under systemd when it is the init system (units faafo-api and
# faafo-worker), else in the background with their pid and log files in FAAFO_RUN_DIR
# (default /run/faafo). FAAFO_BIN_DIR is where -i faafo installs the executables and
# where -r looks for them (default /usr/local/bin; /usr/bin, the package's, with -p, from
# the package's install.sh, or when only the package installed them); FAAFO_CONFIG_DIR
# (default /etc/faafo) is where -i faafo writes faafo.conf; FAAFO_SERVICE_MANAGER=background
# skips systemd; FAAFO_LISTEN_ADDRESS (default 0.0.0.0) is the API's listen address.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=lib/daemon.sh
source "$here/lib/daemon.sh"

endpoint=http://localhost:8080
transport=amqp://guest:guest@localhost:5672/
database=sqlite:////var/lib/faafo/faafo.db
transport_given=0
worker_token=
package_source=
installs=()
runs=()
stop=0

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}
fail() {
    echo "install.sh: $*" >&2
    exit 2
}

while getopts "i:r:e:m:d:t:p:kh" option; do
    case $option in
    i)
        case $OPTARG in
        faafo | messaging | database) installs+=("$OPTARG") ;;
        *) fail "-i takes faafo, messaging or database, not '$OPTARG'" ;;
        esac
        ;;
    r)
        case $OPTARG in
        api | worker | demo) runs+=("$OPTARG") ;;
        *) fail "-r takes api, worker or demo, not '$OPTARG'" ;;
        esac
        ;;
    e) endpoint=$OPTARG ;;
    m)
        transport=$OPTARG
        transport_given=1
        ;;
    d) database=$OPTARG ;;
    t) worker_token=$OPTARG ;;
    p)
        package_source=$OPTARG
        installs+=(faafo)
        ;;
    k) stop=1 ;;
    h) usage 0 ;;
    *) usage 2 >&2 ;;
    esac
done
shift $((OPTIND - 1))
(($# == 0)) || fail "unexpected argument '$1' (see -h)"
((${#installs[@]} + ${#runs[@]} + stop > 0)) || fail "nothing to do: give -i, -r or -k (see -h)"

[[ $endpoint =~ ^https?://([^/:]+|\[[0-9a-fA-F:]+\])(:([0-9]+))?/?$ ]] ||
    fail "-e must be http://HOST[:PORT], not '$endpoint'"
bind_port=${BASH_REMATCH[3]:-80}
[[ $transport =~ ^(amqps?|memory):// ]] || fail "-m must be an amqp:// or amqps:// URL, not '$transport'"
[[ $database =~ ^(sqlite|memory|postgresql|postgres|postgresql\+psycopg2): ]] ||
    fail "-d must be a sqlite:/// or postgresql:// URL, not '$database'"
[[ -z $worker_token || $worker_token =~ ^[A-Za-z0-9._~-]{16,}$ ]] ||
    fail "-t must be the worker token the API host printed (16 or more letters, digits, . _ ~ -)"

[[ -z $package_source || $package_source =~ ^https?:// || -f $package_source ]] ||
    fail "-p must be a .deb file or an http(s) URL, not '$package_source'"

# Whether faafo comes from its Debian package: -p, or this is the package's own install.sh
# (no checkout beside it) and the package is installed.
package_installed() {
    dpkg-query -W -f='${Status}' faafo 2>/dev/null | grep -q "install ok installed"
}
packaged=0
if [[ -n $package_source ]] || { [[ ! -f $root/Package.swift ]] && package_installed; }; then
    packaged=1
fi
if [[ -n ${FAAFO_BIN_DIR:-} ]]; then
    bin_dir=$FAAFO_BIN_DIR
elif ((packaged)) || [[ ! -x /usr/local/bin/faafo-api && -x /usr/bin/faafo-api ]]; then
    bin_dir=/usr/bin
else
    bin_dir=/usr/local/bin
fi
config_dir=${FAAFO_CONFIG_DIR:-/etc/faafo}
run_dir=${FAAFO_RUN_DIR:-/run/faafo}
listen_address=${FAAFO_LISTEN_ADDRESS:-0.0.0.0}
as_root=()
[[ $(id -u) -eq 0 ]] || as_root=(sudo)

use_systemd() {
    [[ ${FAAFO_SERVICE_MANAGER:-} != background && -d /run/systemd/system ]]
}

# Whether service $1 is the package's: its executable here is the one in /usr/bin beside the
# package's unit. The package's services run as user faafo, under systemd (the unit says
# so) or in the background (started as root: setpriv), never as root.
packaged_service() {
    [[ $(realpath -m "$bin_dir/$1") == /usr/bin/$1 && -f /lib/systemd/system/$1.service ]] &&
        getent passwd faafo >/dev/null
}

# Runs pg_ctlcluster $@: it starts a server that outlives this script.
pg_ctlcluster_detached() {
    (
        close_inherited_descriptors
        exec "${as_root[@]}" pg_ctlcluster "$@" </dev/null
    )
}

# Starts service $1 (faafo-api or faafo-worker) with the arguments that follow, and with
# faafo.conf (which holds the tokens) when there is one.
start_service() {
    local name=$1
    shift
    [[ ! -f $config_dir/faafo.conf ]] || set -- --config-file "$config_dir/faafo.conf" "$@"
    [[ -x $bin_dir/$name ]] || fail "$bin_dir/$name is missing: install faafo first (-i faafo) or set FAAFO_BIN_DIR"
    if use_systemd; then
        # systemd reads % as a specifier: a percent-encoded URL keeps its escapes.
        local command="$bin_dir/$name $*"
        command=${command//%/%%}
        if packaged_service "$name"; then
            # The package's unit (user faafo), with this host's options.
            "${as_root[@]}" install -d "/etc/systemd/system/$name.service.d"
            "${as_root[@]}" tee "/etc/systemd/system/$name.service.d/install.conf" >/dev/null <<UNIT
# Written by install.sh -r: this host's options for the package's unit.
[Service]
ExecStart=
ExecStart=$command
UNIT
        else
            "${as_root[@]}" tee "/etc/systemd/system/$name.service" >/dev/null <<UNIT
[Unit]
Description=faafo $name
After=network-online.target rabbitmq-server.service

[Service]
ExecStart=$command
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
        fi
        "${as_root[@]}" systemctl daemon-reload
        "${as_root[@]}" systemctl enable --now "$name"
        echo "install.sh: $name runs under systemd (journalctl -u $name)"
    else
        mkdir -p "$run_dir"
        if [[ -f $run_dir/$name.pid ]] && kill -0 "$(cat "$run_dir/$name.pid")" 2>/dev/null; then
            fail "$name is running already (pid $(cat "$run_dir/$name.pid")); stop it with -k"
        fi
        local as_user=() folder=$PWD
        if packaged_service "$name" && [[ $(id -u) -eq 0 ]]; then
            # As the unit has it: user faafo in /var/lib/faafo, and the API may bind port 80.
            as_user=(setpriv --reuid=faafo --regid=faafo --init-groups)
            [[ $name != faafo-api ]] || as_user+=(--inh-caps=+net_bind_service --ambient-caps=+net_bind_service)
            folder=/var/lib/faafo
        fi
        (
            close_inherited_descriptors
            cd "$folder"
            exec "${as_user[@]}" nohup "$bin_dir/$name" "$@" >>"$run_dir/$name.log" 2>&1 </dev/null
        ) &
        echo $! >"$run_dir/$name.pid"
        echo "install.sh: $name started, pid $!, log $run_dir/$name.log"
    fi
}

stop_services() {
    for name in faafo-worker faafo-api; do
        if use_systemd && [[ -f /etc/systemd/system/$name.service || -d /etc/systemd/system/$name.service.d ]]; then
            "${as_root[@]}" systemctl disable --now "$name" || true
        fi
        if [[ -f $run_dir/$name.pid ]]; then
            kill "$(cat "$run_dir/$name.pid")" 2>/dev/null || true
            rm -f "$run_dir/$name.pid"
            echo "install.sh: $name stopped"
        fi
    done
}

# Waits (at most 60 s) until the API answers.
wait_for_api() {
    for _ in $(seq 1 120); do
        if "$bin_dir/faafo" --endpoint-url "$endpoint" list >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    fail "the API at $endpoint did not answer within 60 s"
}

# The folder of an SQLite database file (faafo-api creates the file, not its folder). One
# made here for the package's faafo-api belongs to user faafo, which runs it.
make_database_folder() {
    if [[ $database =~ ^sqlite:///(.+)$ ]]; then
        local folder
        folder=$(dirname "/${BASH_REMATCH[1]#/}")
        [[ ! -d $folder ]] || return 0
        "${as_root[@]}" mkdir -p "$folder"
        if packaged_service faafo-api; then "${as_root[@]}" chown faafo:faafo "$folder"; fi
    fi
}

# faafo.conf holds passwords and tokens: root writes it, and the services, which the
# package runs as user faafo, read it (group faafo, when there is one).
protect_configuration() {
    "${as_root[@]}" chmod 640 "$config_dir/faafo.conf"
    if getent group faafo >/dev/null; then "${as_root[@]}" chgrp faafo "$config_dir/faafo.conf"; fi
}

# The password of faafo's broker user in faafo.conf's transport_url, if it names that user.
configured_broker_password() {
    local user=$1 line
    [[ -f $config_dir/faafo.conf ]] || return 0
    line=$(grep -E "^transport_url *= *amqp://$user:" "$config_dir/faafo.conf" | tail -n 1) || return 0
    [[ $line =~ amqp://$user:([^@]+)@ ]] && echo "${BASH_REMATCH[1]}"
}

# Writes key $1 = $2 into faafo.conf, creating the file or replacing the key's line.
save_setting() {
    local key=$1 value=$2
    "${as_root[@]}" install -d -m 755 "$config_dir"
    if [[ -f $config_dir/faafo.conf ]] && grep -qE "^$key *=" "$config_dir/faafo.conf"; then
        "${as_root[@]}" sed -i "s#^$key *=.*#$key = $value#" "$config_dir/faafo.conf"
    elif [[ -f $config_dir/faafo.conf ]]; then
        echo "$key = $value" | "${as_root[@]}" tee -a "$config_dir/faafo.conf" >/dev/null
    else
        printf '[DEFAULT]\n%s = %s\n' "$key" "$value" | "${as_root[@]}" tee "$config_dir/faafo.conf" >/dev/null
    fi
    protect_configuration
}

# The value of key $1 in faafo.conf, if it has one.
configured_setting() {
    [[ -f $config_dir/faafo.conf ]] || return 0
    "${as_root[@]}" sed -n -E "s/^$1 *= *//p" "$config_dir/faafo.conf" | tail -n 1
}

# On the API host: keeps the tokens that writes need in faafo.conf, made here unless it has
# them already, unless FAAFO_OPEN_WRITES=1 leaves writes open.
make_write_tokens() {
    if [[ ${FAAFO_OPEN_WRITES:-0} == 1 ]]; then
        echo "install.sh: FAAFO_OPEN_WRITES=1: anyone who reaches the API may write (as in the original faafo)"
        return 0
    fi
    local token
    token=${worker_token:-$(configured_setting worker_token)}
    worker_token=${token:-$(new_password)$(new_password)}
    save_setting worker_token "$worker_token"
    token=${FAAFO_OPERATOR_TOKEN:-$(configured_setting operator_token)}
    save_setting operator_token "${token:-$(new_password)$(new_password)}"
    echo "install.sh: results need the worker token and DELETE the operator token, both in $config_dir/faafo.conf"
    echo "install.sh: worker hosts pass -t $worker_token"
    echo "install.sh: other API hosts pass the same -t, and FAAFO_OPERATOR_TOKEN set to this file's operator_token"
}

# Installs the Debian packages named that are not installed yet (waiting for another
# apt-get to finish, rather than failing on its lock).
install_packages() {
    local missing=() package
    for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
    ((${#missing[@]} == 0)) && return 0
    apt_lists
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
}

# apt's package lists, fetched once on a host that has none yet (a fresh image).
apt_lists() {
    compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null && return 0
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null
}

# Installs faafo's Debian package from -p (a file, or an http(s) URL fetched with curl),
# with apt-get, which installs its dependencies. A faafo.conf already there (this host's)
# is kept as it is.
install_package() {
    local file=$package_source download=
    if [[ $package_source =~ ^https?:// ]]; then
        install_packages curl
        [[ $package_source != https://* ]] || install_packages ca-certificates
        download=$(mktemp -d)
        file=$download/$(basename "${package_source%%\?*}")
        [[ $file == *.deb ]] || file=$download/faafo.deb
        curl -fsSL --retry 3 -o "$file" "$package_source" || fail "cannot download $package_source"
    fi
    file=$(realpath "$file")
    apt_lists
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "$file" >/dev/null || fail "apt-get install $file failed"
    [[ -z $download ]] || rm -rf "$download"
    echo "install.sh: installed $(dpkg-query -W -f='faafo ${Version}' faafo) from $package_source"
}

# A password made here: 24 letters and digits (143 bits), so that it goes into a URL as it
# is and no program takes it for an option (one that began with '-' was refused by
# rabbitmqctl add_user as an unknown option).
new_password() {
    local secret
    secret=$(head -c 48 /dev/urandom | base64 -w0 | tr -d '+/=')
    echo "${secret:0:24}"
}

# This host's address as other hosts reach it.
advertised_host() {
    local host=${FAAFO_ADVERTISED_HOST:-$(hostname -I 2>/dev/null | awk '{print $1}')}
    echo "${host:-$(hostname)}"
}

# Gives faafo a broker user of its own on the virtual host /, and sets $transport to it.
make_broker_user() {
    local user=${FAAFO_BROKER_USER:-faafo} password host
    [[ $user =~ ^[A-Za-z0-9._-]+$ && $user != guest ]] ||
        fail "FAAFO_BROKER_USER must be letters, digits, '.', '_' or '-', and not guest: '$user'"
    password=$(configured_broker_password "$user")
    if [[ -z $password ]]; then
        password=$(new_password)
    fi
    # `--`: a password kept from an earlier run may begin with '-'.
    if "${as_root[@]}" rabbitmqctl -q list_users | cut -f1 | grep -qx "$user"; then
        "${as_root[@]}" rabbitmqctl -q change_password -- "$user" "$password" >/dev/null
    else
        "${as_root[@]}" rabbitmqctl -q add_user -- "$user" "$password" >/dev/null
    fi
    "${as_root[@]}" rabbitmqctl -q set_permissions -p / "$user" '.*' '.*' '.*' >/dev/null
    host=$(advertised_host)
    ((transport_given)) || transport="amqp://$user:$password@localhost:5672/"
    save_setting transport_url "amqp://$user:$password@localhost:5672/"
    echo "install.sh: broker user '$user' is ready; its password is in $config_dir/faafo.conf"
    echo "install.sh: other hosts pass -m amqp://$user:$password@$host:5672/"
}

# The password of role $1 in faafo.conf's database_url, if it names that role.
configured_database_password() {
    local user=$1 line
    [[ -f $config_dir/faafo.conf ]] || return 0
    line=$(grep -E "^database_url *= *postgres[a-z0-9+]*://$user:" "$config_dir/faafo.conf" | tail -n 1) || return 0
    [[ $line =~ ://$user:([^@]+)@ ]] && echo "${BASH_REMATCH[1]}"
}

# Runs psql as the superuser on the local cluster listening on $1.
psql_admin() {
    local port=$1
    shift
    "${as_root[@]}" runuser -u postgres -- psql -h /var/run/postgresql -p "$port" -X -q -v ON_ERROR_STOP=1 "$@"
}

# Makes a PostgreSQL cluster on this host serve -d's role and database to every host, and
# sets $database to the URL with its password.
make_postgres_database() {
    [[ $database =~ ^(postgresql|postgres|postgresql\+psycopg2)://([A-Za-z_][A-Za-z0-9_]*)(:([^@/]*))?@([^/:]+|\[[0-9a-fA-F:]+\])(:([0-9]+))?/([A-Za-z_][A-Za-z0-9_]*)$ ]] ||
        fail "-d must be postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (user and database: letters, digits, '_'), not '$database'"
    local scheme=${BASH_REMATCH[1]} user=${BASH_REMATCH[2]} password=${BASH_REMATCH[4]} host=${BASH_REMATCH[5]}
    local port=${BASH_REMATCH[7]:-5432} name=${BASH_REMATCH[8]} version cluster restart=0
    [[ -n $password ]] || password=$(configured_database_password "$user")
    [[ -n $password ]] || password=$(new_password)
    [[ $password =~ ^[A-Za-z0-9._~-]+$ ]] ||
        fail "the password in -d may only hold letters, digits and . _ ~ - (no URL escapes), or leave it out to have one made"

    install_packages postgresql
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    cluster=$(pg_lsclusters -h | awk -v v="$version" -v p="$port" '$1 == v && $3 == p { print $2 }' | head -n 1)
    if [[ -z $cluster ]]; then
        cluster=faafo-$port
        "${as_root[@]}" pg_createcluster "$version" "$cluster" -p "$port" >/dev/null
        echo "install.sh: created PostgreSQL cluster $version/$cluster on port $port"
    fi
    if [[ $("${as_root[@]}" pg_conftool "$version" "$cluster" show -s listen_addresses 2>/dev/null) != "*" ]]; then
        "${as_root[@]}" pg_conftool "$version" "$cluster" set listen_addresses '*'
        restart=1
    fi
    local hba=/etc/postgresql/$version/$cluster/pg_hba.conf
    if ! grep -qE '^host +all +all +0\.0\.0\.0/0 +scram-sha-256' "$hba"; then
        printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' | "${as_root[@]}" tee -a "$hba" >/dev/null
        restart=1
    fi
    if pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $4 }' | grep -q online; then
        ((restart == 0)) || pg_ctlcluster_detached "$version" "$cluster" restart
    else
        pg_ctlcluster_detached "$version" "$cluster" start
    fi

    if psql_admin "$port" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$user'" | grep -q 1; then
        psql_admin "$port" -c "ALTER ROLE \"$user\" LOGIN PASSWORD '$password'"
    else
        psql_admin "$port" -c "CREATE ROLE \"$user\" LOGIN PASSWORD '$password'"
    fi
    if ! psql_admin "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
        psql_admin "$port" -c "CREATE DATABASE \"$name\" OWNER \"$user\""
    fi
    database="$scheme://$user:$password@$host:$port/$name"
    save_setting database_url "$database"
    echo "install.sh: database '$name' and role '$user' are ready on port $port; the password is in $config_dir/faafo.conf"
    echo "install.sh: API hosts pass -d $scheme://$user:$password@$(advertised_host):$port/$name"
}

((stop == 0)) || stop_services

# The package first: -i messaging and -i database use its user and its folders.
[[ -z $package_source ]] || install_package

# The broker first: -i faafo writes the transport URL that -i messaging made.
ordered=()
for wanted in messaging database faafo; do
    for item in "${installs[@]}"; do
        if [[ $item == "$wanted" ]]; then
            ordered+=("$item")
            break
        fi
    done
done

for item in "${ordered[@]}"; do
    case $item in
    messaging)
        install_packages rabbitmq-server
        "$here/start-rabbitmq"
        make_broker_user
        ;;
    database)
        if [[ $database =~ ^postgres ]]; then
            make_postgres_database
        else
            make_database_folder
            echo "install.sh: SQLite is linked into faafo-api; its database is created on first start"
        fi
        ;;
    faafo)
        if ((packaged)); then
            package_installed || fail "faafo's package is not installed: give it with -p PACKAGE"
            [[ -x $bin_dir/faafo-api ]] || fail "$bin_dir/faafo-api is missing: is FAAFO_BIN_DIR the package's /usr/bin?"
        elif [[ -f $root/Package.swift ]]; then
            "$here/setup"
            (cd "$root" && swift build -c release)
            build=$(cd "$root" && swift build -c release --show-bin-path)
            "${as_root[@]}" install -d "$bin_dir"
            for executable in faafo faafo-api faafo-worker faafo-sim; do
                "${as_root[@]}" install -m 755 "$build/$executable" "$bin_dir/$executable"
            done
        else
            fail "no checkout beside $0 to build faafo from: give its package with -p PACKAGE"
        fi
        "${as_root[@]}" install -d "$config_dir"
        "${as_root[@]}" install -m 640 /dev/null "$config_dir/faafo.conf.new"
        {
            cat <<CONF
[DEFAULT]
endpoint_url = $endpoint
transport_url = $transport
database_url = $database
listen_address = $listen_address
bind_port = $bind_port
CONF
            # The tokens of an earlier install stay.
            for key in worker_token operator_token create_token; do
                value=$(configured_setting "$key")
                [[ -z $value ]] || echo "$key = $value"
            done
        } | "${as_root[@]}" tee "$config_dir/faafo.conf.new" >/dev/null
        "${as_root[@]}" mv "$config_dir/faafo.conf.new" "$config_dir/faafo.conf"
        protect_configuration
        echo "install.sh: faafo installed in $bin_dir, configuration in $config_dir/faafo.conf"
        ;;
    esac
done

for item in "${runs[@]}"; do
    case $item in
    api)
        make_database_folder
        make_write_tokens
        start_service faafo-api --transport-url "$transport" --database-url "$database" \
            --listen-address "$listen_address" --bind-port "$bind_port" --workers 0
        ;;
    worker)
        [[ -z $worker_token ]] || save_setting worker_token "$worker_token"
        [[ -n $(configured_setting worker_token) || ${FAAFO_OPEN_WRITES:-0} == 1 ]] ||
            echo "install.sh: no worker token (-t): the API refuses this worker's results unless its writes are open" >&2
        start_service faafo-worker --transport-url "$transport" --endpoint-url "$endpoint"
        ;;
    demo)
        [[ -x $bin_dir/faafo ]] || fail "$bin_dir/faafo is missing: install faafo first (-i faafo) or set FAAFO_BIN_DIR"
        wait_for_api
        "$bin_dir/faafo" --endpoint-url "$endpoint" demo --tasks "${FAAFO_DEMO_TASKS:-10}"
        ;;
    esac
done
