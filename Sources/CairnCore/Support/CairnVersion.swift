/// Cairn's release version (`GET /version`, `cairn --version`, the start-up log).
public enum CairnVersion {
    public static let current = "0.1.0"
}
