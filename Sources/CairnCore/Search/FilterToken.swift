/// One lexical token of a search filter or `order_by` clause, with its place in the source text.
///
/// Positions count `Character`s from zero, so an error can point at the offending character of
/// the string the user typed.
public struct FilterToken: Sendable, Hashable {
    /// What a token is.
    public enum Kind: Sendable, Hashable {
        /// A bare word: an identifier (`metrics.acc`, `run_name`) or a keyword (`AND`, `LIKE`, `IS`).
        case word
        /// A numeric literal (`1`, `-0.5`, `1e-3`); ``FilterToken/text`` holds it as written.
        case number(Double)
        /// A quoted string or key; ``FilterToken/text`` holds the content with escapes resolved.
        case quoted(QuoteStyle)
        /// A comparison operator as written: `=`, `!=`, `<`, `<=`, `>`, `>=` (or the unsupported `==`, `<>`).
        case comparisonOperator
        /// `(`
        case leftParenthesis
        /// `)`
        case rightParenthesis
        /// `,`
        case comma
    }

    /// The quote character that delimited a ``Kind/quoted(_:)`` token.
    public enum QuoteStyle: Sendable, Hashable {
        /// `'text'`: a string value.
        case single
        /// `"text"`: a string value, or a key (`tags."a.b"`).
        case double
        /// `` `text` ``: a key (``metrics.`my metric` ``).
        case backtick

        /// The delimiter character.
        public var character: Character {
            switch self {
            case .single: "'"
            case .double: "\""
            case .backtick: "`"
            }
        }
    }

    /// The token's kind.
    public var kind: Kind
    /// The token's text: the source text, or for quoted tokens the unescaped content.
    public var text: String
    /// Zero-based character offset of the token's first character.
    public var position: Int
    /// Character offset just past the token's last character; two tokens touch when one's `end`
    /// equals the other's `position`.
    public var end: Int

    /// Creates a token.
    public init(kind: Kind, text: String, position: Int, end: Int) {
        self.kind = kind
        self.text = text
        self.position = position
        self.end = end
    }

    /// The token as it would be written back (quoted tokens with their quotes), for error messages.
    public var display: String {
        if case .quoted(let style) = kind {
            return "\(style.character)\(text)\(style.character)"
        }
        return text
    }

    /// Whether the token is the bare word `keyword`, compared case-insensitively.
    public func isKeyword(_ keyword: String) -> Bool {
        kind == .word && text.uppercased() == keyword
    }
}
