# shellcheck shell=bash
# The provisioners' shell library: sources every file of lib/, one per concern, and gives the
# one call each script starts with (provisioner NAME). Each script begins:
#
#   set -euo pipefail
#   lib=/tmp/build-images/lib; [[ -r $lib/common.sh ]] || lib=$(dirname -- "${BASH_SOURCE[0]}")/lib
#   . "$lib/common.sh"
#   provisioner NAME
#
# Packer uploads provisioners/lib/ to /tmp/build-images/lib/ before the scripts run (and runs the
# scripts from a renamed copy, so they cannot find lib/ beside themselves); run by hand, a
# script finds lib/ beside itself. This file is sourced, never executed: it only defines
# functions and a few constants, and installs an EXIT trap that runs the cleanups registered
# with add_cleanup.
#
#   output.sh        log, warn, die, add_cleanup, require_*, check_version
#   apt.sh           apt_install, build_deps (purged on exit), apt_cleanup
#   releases.sh      release_files (what each vendor release is made of), deb_arch
#   download.sh      mirror_url, download, fetch_release (checksum and signature verified)
#   files.sh         install_binary, ensure_system_user, ensure_dir, write_file, hcl_list
#   services.sh      service_manager, install_service (image-start or systemd), systemd_enable
#   consul-agent.sh  consul_service, consul_agent_service
#
# Works on Debian 12 and Ubuntu 22.04/24.04, including debootstrap "minbase" images that have
# no curl, ca-certificates or unzip: callers install what they use with apt_install (what the
# image needs at run time) or build_deps (what only the build needs: removed again on exit).

if [[ -n ${BUILD_IMAGES_COMMON_LOADED:-} ]]; then
  return 0
fi
BUILD_IMAGES_COMMON_LOADED=1

# The directory this file is in: lib/ beside the scripts, or /tmp/build-images/lib under Packer.
BI_LIB=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=versions.sh
. "$BI_LIB/versions.sh"
# shellcheck source-path=SCRIPTDIR source=output.sh
. "$BI_LIB/output.sh"
# shellcheck source-path=SCRIPTDIR source=apt.sh
. "$BI_LIB/apt.sh"
# shellcheck source-path=SCRIPTDIR source=releases.sh
. "$BI_LIB/releases.sh"
# shellcheck source-path=SCRIPTDIR source=download.sh
. "$BI_LIB/download.sh"
# shellcheck source-path=SCRIPTDIR source=files.sh
. "$BI_LIB/files.sh"
# shellcheck source-path=SCRIPTDIR source=services.sh
. "$BI_LIB/services.sh"
# shellcheck source-path=SCRIPTDIR source=consul-agent.sh
. "$BI_LIB/consul-agent.sh"

# The access-log format the nginx gateway writes and prometheus-nginxlog-exporter parses.
# Both scripts take it from here so the two can never disagree.
# shellcheck disable=SC2016,SC2034 # nginx variables, not shell expansions; used by the scripts
readonly NGINX_GATEWAY_LOG_FORMAT='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time "$upstream_response_time"'

# provisioner NAME: the set-up every provisioner script shares, in one call. NAME is what its
# messages say (Packer uploads scripts under generated names); the scripts install system
# packages, users and services, so they run as root.
provisioner() {
  (($# == 1)) || die "provisioner NAME: got $# arguments"
  BI_NAME=$1
  require_root
}
