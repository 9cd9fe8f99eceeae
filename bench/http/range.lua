-- wrk script: GET of one random, aligned range of BLOCK bytes of FILE (FILE_SIZE bytes), one range per request.
-- Each wrk thread seeds its own generator so that threads do not ask for the same sequence of ranges.
local size = tonumber(os.getenv("FILE_SIZE"))
local block = tonumber(os.getenv("BLOCK"))
local path = os.getenv("FILE_PATH") or "/data.bin"
local blocks = math.floor(size / block)
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  local offset = math.random(0, blocks - 1) * block
  return wrk.format("GET", path, { ["Range"] = "bytes=" .. offset .. "-" .. (offset + block - 1) })
end

function response(status, headers, body)
  if status ~= 206 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
