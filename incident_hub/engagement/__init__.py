"""engagement"""
