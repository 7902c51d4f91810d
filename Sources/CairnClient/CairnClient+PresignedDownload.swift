import AsyncHTTPClient
import CairnCore
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CairnClient {
    static let presignedRoute = "/api/2.0/mlflow-artifacts/presigned"

    /// A presigned `GET` URL of one artifact file, the headers to send with it, and its size.
    struct PresignedDownload: Sendable {
        var url: String
        var headers: [(String, String)]
        var size: Int64
    }

    /// The presigned URL of an artifact file; nil when the server does not offer one (501, which
    /// turns the direct routes off for later files too) or does not know the file (404: the
    /// proxy then gives the not-found answer).
    func presignedDownload(root: String, path: String) async throws(ClientError) -> PresignedDownload? {
        let answer: JSONValue
        do {
            answer = try await call(.GET, Self.presignedRoute + "/" + Self.encodedSegments("\(root)/\(path)"))
        } catch  where error.status == 501 || error.status == 404 {
            if error.status == 501 { directRoutes.markNotOffered() }
            return nil
        }
        guard let url = answer["url"]?.stringValue,
            let size = answer["file_size"]?.intValue ?? answer["file_size"]?.stringValue.flatMap({ Int64($0) })
        else {
            throw ClientError(.failed, "The server's answer to presigned/\(path) has no url or file_size")
        }
        let headers = (answer["headers"]?.objectValue ?? []).compactMap { member in member.value.stringValue.map { (member.key, $0) } }
        return PresignedDownload(url: url, headers: headers, size: size)
    }

    /// Downloads a file straight from the artifact store into `partial`, whose first `resumed`
    /// bytes are already there: the rest in ranged pieces, `partsInFlight` at once, each written
    /// where it belongs and retried from where it stopped; the journal marks the good prefix.
    func downloadDirect(_ link: PresignedDownload, into partial: PartialFile, resumed: Int64, progress: TransferProgress?)
        async throws(ClientError)
    {
        let size = link.size
        guard resumed < size else { return }
        let chunk = max(1, configuration.directTransfer.downloadChunkSize)
        let pieces = stride(from: resumed, to: size, by: Int(chunk)).map { start in start..<min(size, start + chunk) }
        let descriptor = try partial.openForWriting()
        defer { close(descriptor) }
        let journal = try partial.openJournal(mark: resumed)
        defer { close(journal) }
        let limit = max(1, configuration.directTransfer.partsInFlight)
        do {
            try await withThrowingTaskGroup(of: Int.self) { group in
                var next = 0
                var written = Set<Int>()
                var mark = 0
                func start(_ index: Int) {
                    let range = pieces[index]
                    group.addTask {
                        try await getPiece(link, range: range, into: descriptor, path: partial.path, progress: progress)
                        return index
                    }
                }
                while next < min(limit, pieces.count) {
                    start(next)
                    next += 1
                }
                while let done = try await group.next() {
                    written.insert(done)
                    let before = mark
                    while written.remove(mark) != nil { mark += 1 }
                    if mark != before {
                        try PartialFile.record(mark < pieces.count ? pieces[mark].lowerBound : size, in: journal, path: partial.journalPath)
                    }
                    if next < pieces.count {
                        start(next)
                        next += 1
                    }
                }
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.interrupted, "Interrupted")
        }
    }

    /// Gets one byte range from the store and writes it at its offset; a failed attempt resumes
    /// after the bytes it wrote.
    private func getPiece(_ link: PresignedDownload, range: Range<Int64>, into descriptor: Int32, path: String, progress: TransferProgress?)
        async throws(ClientError)
    {
        var position = range.lowerBound
        try await retrying { () async throws(ClientError) in
            var request = HTTPClientRequest(url: link.url)
            for (name, value) in link.headers { request.headers.add(name: name, value: value) }
            request.headers.add(name: "Range", value: "bytes=\(position)-\(range.upperBound - 1)")
            do {
                let response = try await httpClient.execute(request, timeout: .hours(24))
                let status = Int(response.status.code)
                let whole = status == 200 && position == 0 && range.upperBound == link.size
                guard status == 206 || whole else {
                    let body = try await response.body.collect(upTo: 1 << 20)
                    if status == 200 { throw ClientError(.failed, "The artifact store ignored the Range of a direct download") }
                    throw Self.storeError(status: status, text: String(buffer: body), url: link.url)
                }
                for try await buffer in response.body {
                    let count = Int64(buffer.readableBytes)
                    guard position + count <= range.upperBound else {
                        throw ClientError(.failed, "The artifact store sent more than the range asked for")
                    }
                    try PartialFile.write(buffer, to: descriptor, at: position, path: path)
                    position += count
                    progress?.add(count)
                }
                guard position == range.upperBound else {
                    throw ClientError(.unavailable, "The artifact store's answer ended at byte \(position) of \(range.upperBound)")
                }
            } catch {
                throw Self.storeTransportError(error, url: link.url)
            }
        }
    }
}
