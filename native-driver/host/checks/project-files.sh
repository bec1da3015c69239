#!/usr/bin/env bash
# project-files.sh: the files only Windows builds read agree with the sources
# and with each other, so drift shows on Linux:
#   - every native-driver/src/*.c, *.h, *.rc and include/*.h is listed in
#     jminifilter.vcxproj with the right item type, and in its .filters;
#     the two list the same items; every listed file exists;
#   - the vcxproj compiles C17 (LanguageStandard_C stdc17) and builds the
#     service's file name (TargetName);
#   - the INF's service name, driver file, altitude and minimum build, the
#     version resource and the README agree.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
drv=$(cd "$here/../.." && pwd)
root=$(cd "$drv/.." && pwd)
proj=$drv/jminifilter.vcxproj
filters=$drv/jminifilter.vcxproj.filters
inf=$root/inf/jminifilter.inf
rc=$drv/src/jminifilter.rc
readme=$root/README.md
failures=0
fail() { echo "project-files: FAIL: $*"; failures=$((failures + 1)); }

# "Type path" for every item of the given types in an MSBuild file (paths with / separators).
items() {
  grep -oE '<(ClCompile|ClInclude|ResourceCompile|Inf) Include="[^"]+"' "$1" |
    sed -E 's/<([A-Za-z]+) Include="([^"]+)"/\1 \2/' | tr '\\' '/' | sort
}
proj_items=$(items "$proj")
filter_items=$(items "$filters")

if [ "$proj_items" != "$filter_items" ]; then
  fail "jminifilter.vcxproj and jminifilter.vcxproj.filters list different items:"
  diff <(echo "$proj_items") <(echo "$filter_items") | sed 's/^/    /'
fi
while read -r type path; do
  [ -n "$path" ] || continue
  [ -f "$drv/$path" ] || fail "jminifilter.vcxproj lists $type $path, which does not exist"
done <<<"$proj_items"
for f in "$drv"/src/*.c "$drv"/src/*.h "$drv"/src/*.rc "$drv"/include/*.h; do
  [ -f "$f" ] || continue
  rel=${f#"$drv"/}
  case "$f" in
    *.c) type=ClCompile ;;
    *.h) type=ClInclude ;;
    *.rc) type=ResourceCompile ;;
  esac
  grep -qxF "$type $rel" <<<"$proj_items" || fail "$rel is not in jminifilter.vcxproj as $type (nor, then, built on Windows)"
done

std=$(grep -oE '<LanguageStandard_C>[^<]*</LanguageStandard_C>' "$proj" | sort -u)
[ "$std" = "<LanguageStandard_C>stdc17</LanguageStandard_C>" ] ||
  fail "jminifilter.vcxproj must set <LanguageStandard_C>stdc17</LanguageStandard_C> (and nothing else), found: ${std:-nothing}"

# INF values ([Strings] entries are  Key = "value"  or  Key = value).
inf_string() { sed -nE "s/^$1[[:space:]]*=[[:space:]]*\"?([^\";]*[^\"; ])\"?.*/\1/p" "$inf" | head -1; }
service=$(inf_string ServiceName)
altitude=$(inf_string 'Instance1\.Altitude')
driverver=$(sed -nE 's/^DriverVer[[:space:]]*=[[:space:]]*[^,]*,([0-9.]+).*/\1/p' "$inf" | head -1)
[ -n "$service" ] || fail "no ServiceName in $inf"
target=$(sed -nE 's/.*<TargetName>([^<]+)<\/TargetName>.*/\1/p' "$proj" | head -1)
[ "$target" = "$service" ] || fail "the vcxproj builds $target.sys but the INF's service is \"$service\""
grep -qE "^ServiceBinary[[:space:]]*=" "$inf" || fail "no ServiceBinary in the INF"
while read -r binary; do
  [ "$binary" = "%13%\\$service.sys" ] || fail "INF ServiceBinary is $binary, not %13%\\$service.sys"
done < <(sed -nE 's/^ServiceBinary[[:space:]]*=[[:space:]]*([^[:space:];]+).*/\1/p' "$inf")
grep -qE "^$service\.sys[[:space:]]*=" "$inf" || fail "INF [SourceDisksFiles] does not name $service.sys"
sections=$(grep -oE '^\[DefaultInstall[^]]*\]' "$inf")
[ -n "$sections" ] || fail "the INF has no DefaultInstall sections"
while read -r section; do
  [ -n "$section" ] || continue
  build=$(sed -nE 's/^\[DefaultInstall\.NT(amd64|arm64)\.10\.0\.\.\.([0-9]+)(\.Services)?\]$/\2/p' <<<"$section")
  if [ -z "$build" ]; then
    fail "INF section $section is not decorated NTamd64/NTarm64.10.0...<build>"
  elif [ "$build" -lt 19041 ]; then
    fail "INF section $section installs below build 19041 (Windows 10 2004), which ExAllocatePool2 needs"
  fi
done <<<"$sections"

grep -qF "**$altitude**" "$readme" || fail "README does not give the INF's altitude **$altitude**"
grep -qF "fltmc load $service" "$readme" || fail "README does not say \"fltmc load $service\""
grep -qF "fltmc unload $service" "$readme" || fail "README does not say \"fltmc unload $service\""
grep -qF "$service.sys" "$readme" || fail "README does not name $service.sys"

rcver=$(sed -nE 's/^#define JMF_VERSION_STRING[[:space:]]+"([^"]+)".*/\1/p' "$rc")
rcnum=$(sed -nE 's/^#define JMF_VERSION_NUMBERS[[:space:]]+([0-9,]+).*/\1/p' "$rc" | tr ',' '.')
[ -n "$driverver" ] && [ "$rcver" = "$driverver" ] && [ "$rcnum" = "$driverver" ] ||
  fail "version: INF DriverVer $driverver, jminifilter.rc $rcnum / \"$rcver\" (keep them equal)"
grep -qF "\"OriginalFilename\", \"$service.sys\"" "$rc" || fail "jminifilter.rc's OriginalFilename is not $service.sys"

if [ "$failures" -ne 0 ]; then
  echo "project-files: $failures problem(s)"; exit 1
fi
echo "project-files: vcxproj, .filters, INF ($service.sys, altitude $altitude, version $driverver), .rc and README agree"
