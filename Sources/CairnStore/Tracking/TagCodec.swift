import CairnCore
import Foundation

/// Stores a small list of tags as a JSON array in one text column (dataset input tags).
enum TagCodec {
    static func encode(_ tags: [Tag]) -> String {
        let objects = tags.map { ["key": $0.key, "value": $0.value] }
        guard let data = try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys]) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String) -> [Tag] {
        guard let objects = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: String]] else { return [] }
        return objects.compactMap { object in
            guard let key = object["key"], let value = object["value"] else { return nil }
            return Tag(key: key, value: value)
        }
    }
}
