# Sourced by the scripts that run the exchange program (demo.sh, reliability.sh): sets up what a
# fresh clone needs, the npm packages and the .NET build of the CLI, from the repository root.

# Only a missing install is made: `npm ci` deletes node_modules first, which must never happen to
# a node_modules that is a link to a folder other checkouts share.
if [ ! -L node_modules ] && [ ! -f node_modules/.package-lock.json ]; then
  echo "== npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

echo "== dotnet build" >&2
dotnet build src/Exchange.Cli -c Release --nologo -v quiet >&2
